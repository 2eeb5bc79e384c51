import { SafeHttp } from '../../adapters/safe-http.js';

/** The guarded client for the newsroom's URLs: https to public addresses only, never the stage's own API. */
export const outboundHttp = (config: { PUBLIC_API_URL: string; OUTBOUND_LOOPBACK_HTTP: boolean }) =>
  new SafeHttp({ allowLoopbackHttp: config.OUTBOUND_LOOPBACK_HTTP, ownOrigins: [new URL(config.PUBLIC_API_URL).origin] });
