import { startDevServer } from './dev-server.js';

const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.APPEAL_DATA_DIR ?? '.appeal';

const server = await startDevServer({ port, dataDir, publicUrl: process.env.PUBLIC_URL });
console.log(`Appeal is running.
  Site:   ${server.url}/
  Outbox: ${server.url}/_local/outbox
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
