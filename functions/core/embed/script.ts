import { createHash } from 'node:crypto';

/**
 * The embed script's identity, from its exact bytes (UTF-8): the Subresource Integrity value a site puts in its
 * `integrity` attribute (SHA-384, as the SRI spec recommends) and a short version (the start of its SHA-256) that
 * names this build in its URL (`/v1/embed.js?v=…`) and its ETag. The function serves these bytes and the admin CLI
 * hashes what the API serves with the same code, so the snippet and the script cannot disagree.
 */
export interface ScriptIdentity {
  bytes: Buffer;
  integrity: string;
  version: string;
}

export const scriptIdentity = (script: string | Uint8Array): ScriptIdentity => {
  const bytes = typeof script === 'string' ? Buffer.from(script, 'utf8') : Buffer.from(script);
  return {
    bytes,
    integrity: `sha384-${createHash('sha384').update(bytes).digest('base64')}`,
    version: createHash('sha256').update(bytes).digest('hex').slice(0, 16),
  };
};
