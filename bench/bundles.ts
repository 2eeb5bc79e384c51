// Bundles every Lambda handler as CDK does (esbuild, ESM, minified, node22) and prints its size and the time a
// fresh Node process takes to import it (median of 7): what a cold start pays before the first request.
// The import runs with placeholder configuration and no AWS access, so it stops where the handler first calls
// AWS (reading the signing secret); the figure is the module load, which is what bundle size costs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const handlers = readdirSync('functions/handlers').filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));
const out = mkdtempSync(join(tmpdir(), 'appeal-bundles-'));
const rows: string[][] = [];
for (const name of handlers) {
  const outfile = join(out, `${name}.mjs`);
  await build({
    entryPoints: [`functions/handlers/${name}.ts`],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    outfile,
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const script = `const t=performance.now();await import(${JSON.stringify(outfile)}).catch(()=>{});console.log(performance.now()-t)`;
    const ms = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1', POWERTOOLS_LOG_LEVEL: 'SILENT' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    times.push(Number(ms.toString().trim()));
  }
  times.sort((a, b) => a - b);
  rows.push([name, `${(statSync(outfile).size / 1024).toFixed(0)} KiB`, `${times[3]?.toFixed(0)} ms`]);
}
console.log('handler'.padEnd(16), 'bundle'.padStart(10), 'import'.padStart(10));
for (const [name, size, time] of rows) console.log(name?.padEnd(16), size?.padStart(10), time?.padStart(10));
