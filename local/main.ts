import { DataDirInUseError, startDevServer } from './server/dev-server.js';
import { JavaMissingError } from './stand-ins/dynamodb-local.js';

const port = Number(process.env.PORT ?? 3000);
// The demo site (the article, embedding Appeal) has an origin of its own: SITE_PORT, else the next port when free.
const sitePort = process.env.SITE_PORT ? Number(process.env.SITE_PORT) : undefined;
const dataDir = process.env.APPEAL_DATA_DIR ?? '.appeal';

const server = await startDevServer({ port, sitePort, dataDir, publicUrl: process.env.PUBLIC_URL }).catch((error: NodeJS.ErrnoException) => {
  if (error.code === 'EADDRINUSE') {
    console.error(`Port ${port}${sitePort ? ` or ${sitePort} (SITE_PORT)` : ''} is in use: stop the other server or choose another, e.g. PORT=3010 npm start`);
  } else if (error instanceof DataDirInUseError || error instanceof JavaMissingError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
console.log(`Appeal is running.
  Site:   ${server.siteUrl}/   (the demo article, embedding Appeal from the API's origin)
  API:    ${server.url}
  Outbox: ${server.url}/_local/outbox
  Webhooks: ${server.url}/_local/webhooks   (every signed event sent to the endpoints you add)
  Newsletter tools: ${server.url}/_local/connectors   (the local Mailchimp and listmonk, and how to connect them)
  Data:   ${dataDir}
Press Ctrl-C to stop.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  console.log('Appeal stopped; data kept in', dataDir);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
