// `npm run bench:bundles`: what each function's cold start pays for its code, next to a bare reference.
//
// For each function it bundles the entry exactly as the stack does (infra/bundling.ts: esbuild, ESM, code split,
// minified, node22, mainFields module/main, the createRequire banner, a linked source map) and a bare reference: a
// generated entry, bundled with the same settings, that only imports and constructs the SDK clients the function's
// composition root constructs (the table below). Sizes count what a cold start loads: the entry and the chunks it
// imports statically; the chunks a dynamic import() reaches wait for the first request that needs them. Then it imports each bundle in a fresh Node process, interleaved (function,
// reference, function, reference, ...) so that the machine's drift hits both alike, and prints the medians, with a
// 90% interval of each time ratio from resampling the runs' pairs (bench/stats.ts): a verdict whose interval
// holds the budget is marked "at the line", where another run may say the other thing.
// The budget is import time, what a cold start waits for: each function's import ≤ 1.25 × its reference's. A function
// that constructs no client has an empty reference (Node's own cost of importing a module), so its budget is a margin
// instead: its import ≤ the empty module's + 40 ms. Bundle sizes are reported beside the times, not budgeted: a
// well-kept library that costs bytes but no time fits. So is the CPU time of each import (user and system): on a
// shared machine the wall-clock times move with everything else that runs, and the CPU times far less, so the
// CPU ratio tells a real change from a busy machine.
//
// The functions run their real cold start: configuration from placeholder variables, secrets from the local AWS
// endpoint (local/stand-ins/aws-endpoint.ts: the Secrets Manager API and the Parameters and Secrets extension's route), so
// the import time includes reading the secrets, as in Lambda. A function whose cold start fails is marked.
//
//   npm run bench:bundles [-- --runs 15] [-- --only subscriptions,admin] [-- --node /path/to/node22/bin/node]
//
// The imports run on this Node, or on the one `--node` names: the budget is judged on the major Lambda runs the
// functions on (Node 22, infra/constructs/app-function.ts), since each V8 moves the function's and the reference's
// import differently (docs/development.md has both).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { buildEmbedScript, embedDefine } from '../web/embed/build.js';
import { buildSync, type Metafile } from 'esbuild';
import { startAwsEndpoint } from '../local/stand-ins/aws-endpoint.js';
import { bundleFunction, bundleOptions, CATALOGUE_SOURCE } from '../infra/bundling.js';
import { median, ratioInterval } from './stats.js';

/** The SDK pieces a composition root can construct: what the bare reference imports and builds for each. */
const SDK = {
  /** The DynamoDB client wrapped in lib-dynamodb's DocumentClient, with the commands and errors the adapters use. */
  dynamodb: {
    imports: {
      '@aws-sdk/client-dynamodb': ['DynamoDBClient', 'ConditionalCheckFailedException', 'TransactionCanceledException', 'TransactionConflictException'],
      '@aws-sdk/lib-dynamodb': ['DynamoDBDocumentClient', 'BatchGetCommand', 'DeleteCommand', 'GetCommand', 'PutCommand', 'QueryCommand', 'ScanCommand', 'TransactWriteCommand', 'UpdateCommand'],
    },
    construct: 'DynamoDBDocumentClient.from(new DynamoDBClient({ region }), { marshallOptions: { removeUndefinedValues: true } })',
  },
  sqs: { imports: { '@aws-sdk/client-sqs': ['SQSClient', 'SendMessageCommand'] }, construct: 'new SQSClient({ region })' },
  sesv2: { imports: { '@aws-sdk/client-sesv2': ['SESv2Client', 'SendEmailCommand'] }, construct: 'new SESv2Client({ region })' },
  s3: { imports: { '@aws-sdk/client-s3': ['S3Client', 'GetObjectCommand'] }, construct: 'new S3Client({ region })' },
  /** SDK helpers on the S3 client: the presigned download link (admin), the multipart upload (export worker). */
  's3-presigner': { imports: { '@aws-sdk/s3-request-presigner': ['getSignedUrl'] }, construct: undefined },
  's3-upload': { imports: { '@aws-sdk/lib-storage': ['Upload'] }, construct: undefined },
  lambda: { imports: { '@aws-sdk/client-lambda': ['LambdaClient', 'InvokeCommand'] }, construct: 'new LambdaClient({ region })' },
  /**
   * Stripe's own SDK client, which the donations function (Checkout) and the webhook (signatures, reading an
   * invoice) construct: the stack's choice of `stripe` for both, so it belongs to their bare reference as the AWS
   * clients do to theirs.
   */
  stripe: {
    imports: { stripe: ['default as Stripe'] },
    construct: "new Stripe('sk_test_reference', { maxNetworkRetries: 2, timeout: 8000, telemetry: false })",
  },
  /** Only while a function reads its secrets through the API: the Parameters and Secrets extension needs no client. */
  'secrets-manager': {
    imports: { '@aws-sdk/client-secrets-manager': ['SecretsManagerClient', 'GetSecretValueCommand'] },
    construct: 'new SecretsManagerClient({ region })',
  },
} satisfies Record<string, { imports: Record<string, string[]>; construct: string | undefined }>;
type Sdk = keyof typeof SDK;

/**
 * THE TABLE: what each function's composition root constructs (functions/<name>/index.ts and
 * its deps.ts). Keep it in step with the roots: the script warns when a bundle holds an SDK
 * client or helper its reference lacks, or lacks one its reference has.
 */
const FUNCTIONS: Record<string, readonly Sdk[]> = {
  subscriptions: ['dynamodb', 'sqs'],
  'signup-and-mail': ['dynamodb', 'sesv2'],
  donations: ['dynamodb', 'stripe'],
  'stripe-webhook': ['dynamodb', 'sqs', 'stripe'],
  admin: ['dynamodb', 'lambda', 's3', 's3-presigner'],
  'export-worker': ['dynamodb', 's3', 's3-upload'],
  'ses-events': ['dynamodb'],
  fallback: [],
  embed: [],
  events: ['dynamodb', 'sqs'],
  'event-counter': ['dynamodb'],
  console: ['dynamodb', 'lambda', 's3', 's3-presigner', 'sqs'],
  reminders: ['dynamodb', 'sesv2'],
  webhooks: ['dynamodb', 'sqs'],
  'webhook-events': ['dynamodb', 'sqs'],
  'webhook-delivery': ['dynamodb', 'sqs'],
};

/**
 * The secrets each function reads at cold start, through the Parameters and Secrets extension (one GET on
 * localhost each). Reading them is I/O every such function must do, with whatever code, so the reference does it
 * too, with the least code there is (node:http, already loaded by the SDK): the comparison stays one of code, and
 * does not charge a function for the latency of the extension's local stand-in (a Node server in this process,
 * slower to answer than the real extension's in-memory cache).
 */
const SECRETS: Record<string, readonly ('SIGNING_SECRET_ID' | 'STRIPE_SECRET_ID')[]> = {
  subscriptions: ['SIGNING_SECRET_ID'],
  'signup-and-mail': ['SIGNING_SECRET_ID'],
  donations: ['SIGNING_SECRET_ID', 'STRIPE_SECRET_ID'],
  'stripe-webhook': ['SIGNING_SECRET_ID', 'STRIPE_SECRET_ID'],
  admin: ['SIGNING_SECRET_ID'],
  'export-worker': [],
  'ses-events': ['SIGNING_SECRET_ID'],
  fallback: [],
  embed: [],
  events: [],
  'event-counter': [],
  console: ['SIGNING_SECRET_ID'],
  reminders: ['SIGNING_SECRET_ID'],
  webhooks: ['SIGNING_SECRET_ID'],
  'webhook-events': ['SIGNING_SECRET_ID'],
  'webhook-delivery': ['SIGNING_SECRET_ID'],
};

const BUDGET = { time: 1.25, noClientMarginMs: 40 };

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '11' }, only: { type: 'string' }, node: { type: 'string' } } });
/**
 * The Node that imports the bundles: this one, or `--node PATH`. Lambda runs the functions on Node 22 (the stack's
 * runtime), and a major's V8 moves both sides of the ratio, so the budget is judged on the runtime's major.
 */
const NODE = args.node ?? process.execPath;
/** The major of the stack's Lambda runtime (Runtime.NODEJS_22_X). */
const LAMBDA_NODE_MAJOR = 22;
const nodeVersion = () => {
  try {
    return execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
  } catch (error) {
    console.error(`--node ${NODE}: not a Node that runs (${(error as Error).message.split('\n')[0]})`);
    process.exit(2);
  }
};
const NODE_VERSION = nodeVersion();
const RUNS = Math.max(9, Number(args.runs));

/** A function's entry: its composition root, functions/<name>/index.ts. */
const entryOf = (name: string) => [`functions/${name}/index.ts`].find((path) => existsSync(path));
const onDisk = readdirSync('functions').filter((name) => existsSync(`functions/${name}/index.ts`));
for (const name of onDisk.filter((name) => !(name in FUNCTIONS))) console.warn(`warning: ${name} is not in the table: not measured`);
for (const name of Object.keys(FUNCTIONS).filter((name) => !entryOf(name))) console.warn(`warning: the table's ${name} has no entry file: not measured`);
const names = (args.only ? args.only.split(',') : Object.keys(FUNCTIONS)).filter((name) => name in FUNCTIONS && entryOf(name));

const out = mkdtempSync(join(tmpdir(), 'appeal-bundles-'));

/**
 * The pages' and emails' text: one JSON file per language that the stack puts beside every bundle, and that a
 * function reads (and parses) the first time a page or an email needs that language, never at cold start. Not
 * part of the bundle's size or its import; its size is printed beside the table.
 */
const catalogueFiles = readdirSync(CATALOGUE_SOURCE).filter((file) => file.endsWith('.json'));

/**
 * The outputs a cold start loads: the entry, the composition root it imports at once (a dynamic `import()` it
 * awaits, so that the secrets extension answers while the root loads), and the chunks those import statically,
 * transitively. Any other chunk reached only by a dynamic `import()` waits for the first request that needs it.
 */
const loadedAtColdStart = (metafile: Metafile, dir: string) => {
  const entry = Object.keys(metafile.outputs).find((path) => path.endsWith('/index.mjs') && resolve(path) === resolve(dir, 'index.mjs'));
  const seen = new Set<string>();
  const visit = (path: string | undefined) => {
    if (!path || seen.has(path)) return;
    seen.add(path);
    for (const imported of metafile.outputs[path]?.imports ?? []) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entry);
  for (const imported of (entry && metafile.outputs[entry]?.imports) || []) if (imported.kind === 'dynamic-import' && !imported.external) visit(imported.path);
  return seen;
};

/** A bundle's size and contents: what its cold start loads, and all its outputs (chunks loaded on demand too). */
const measured = (metafile: Metafile, dir: string) => {
  const loaded = loadedAtColdStart(metafile, dir);
  const kib = (paths: Iterable<string>) => [...paths].reduce((sum, path) => sum + (metafile.outputs[path]?.bytes ?? 0), 0) / 1024;
  const code = Object.keys(metafile.outputs).filter((path) => path.endsWith('.mjs'));
  return { file: join(dir, 'index.mjs'), kib: kib(loaded), allKib: kib(code), loaded, metafile };
};

/** Bundles a function as the stack does (infra/bundling.ts), or a generated reference with the same settings. */
const bundle = (input: { name: string } | { files: Record<string, string>; name: string }, dir: string) => {
  if (!('files' in input)) {
    // As the stack does for the embed function: its script inlined as a constant (web/embed/build.ts).
    return measured(bundleFunction(process.cwd(), input.name, dir, input.name === 'embed' ? embedDefine() : undefined), dir);
  }
  // A generated entry (index.js) and the modules it imports, written beside the bundle; their imports resolve from
  // this project's node_modules.
  const sources = `${dir}-source`;
  mkdirSync(sources, { recursive: true });
  for (const [file, contents] of Object.entries(input.files)) writeFileSync(join(sources, file), contents);
  const result = buildSync({ ...bundleOptions(join(sources, 'index.js'), dir), nodePaths: [join(process.cwd(), 'node_modules')], metafile: true });
  return measured(result.metafile, dir);
};

/**
 * The bare reference: import the function's SDK clients and helpers, construct the clients, keep them all; and read
 * the function's secrets as the functions do (functions/<name>/index.ts): ask the extension first, then load the
 * clients (a chunk the entry imports) while it answers. So both sides overlap that wait with loading code, and the
 * comparison stays one of code.
 */
const referenceFiles = (sdks: readonly Sdk[], secrets: readonly string[]): Record<string, string> => {
  const imports = new Map<string, Set<string>>();
  for (const sdk of sdks) {
    for (const [pkg, names] of Object.entries(SDK[sdk].imports)) {
      const set = imports.get(pkg) ?? new Set<string>();
      for (const name of names) set.add(name);
      imports.set(pkg, set);
    }
  }
  const constructs = sdks.flatMap((sdk) => SDK[sdk].construct ?? []);
  const clients = [
    ...[...imports].map(([pkg, set]) => `import { ${[...set].join(', ')} } from '${pkg}';`),
    'const region = process.env.AWS_REGION;',
    `export const clients = [${constructs.join(', ')}];`,
    `export const used = [${[...imports.values()].flatMap((set) => [...set].map((name) => name.split(' as ').at(-1))).join(', ')}];`,
  ].join('\n');
  const index = secrets.length
    ? [
        "import { request } from 'node:http';",
        'const read = (id) => new Promise((resolve, reject) => {',
        "  const url = 'http://localhost:' + process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT + '/secretsmanager/get?secretId=' + encodeURIComponent(id);",
        "  const req = request(url, { headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN }, agent: false }, (res) => {",
        "    let body = ''; res.on('data', (chunk) => { body += chunk; }); res.on('end', () => resolve(JSON.parse(body).SecretString));",
        '  });',
        "  req.on('error', reject); req.end();",
        '});',
        `const reads = Promise.all([${secrets.map((name) => `process.env.${name}`).join(', ')}].map(read));`,
        "export const { clients, used } = await import('./clients.js');",
        'export const secrets = await reads;',
      ].join('\n')
    : "export { clients, used } from './clients.js';";
  return { 'index.js': index, 'clients.js': clients };
};

/** The package an input belongs to (the last node_modules segment), or the app folder for our own code. */
const packageOf = (input: string) => {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return `(app) ${input.split('/').slice(0, 2).join('/')}`;
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? input);
};

const bytesByPackage = ({ metafile, loaded }: { metafile: Metafile; loaded: Set<string> }) => {
  const totals = new Map<string, number>();
  for (const output of [...loaded].flatMap((path) => metafile.outputs[path] ?? [])) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = packageOf(input);
      totals.set(pkg, (totals.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return totals;
};

/** SDK clients and helpers a bundle holds: what the table's references are compared with. */
const SDK_PACKAGE = /^(@aws-sdk\/(client-[a-z0-9-]+|lib-dynamodb|lib-storage|s3-request-presigner)|stripe)$/;
const sdkPackages = (totals: Map<string, number>) => new Set([...totals.keys()].filter((pkg) => SDK_PACKAGE.test(pkg)));

// The stand-in for the secrets: the Secrets Manager API and the extension's route, on one local endpoint.
const SESSION_TOKEN = 'bench-session-token';
const endpoint = await startAwsEndpoint({
  queues: new Map(),
  secrets: new Map([
    ['appeal/signing', JSON.stringify({ signingKey: 'bench-signing-key-'.padEnd(48, 'x') })],
    ['appeal/stripe', JSON.stringify({ secretKey: 'sk_test_bench', webhookSecret: 'whsec_bench' })],
  ]),
  functions: new Map(),
  sesUrl: 'http://127.0.0.1:9',
  secretsExtensionToken: SESSION_TOKEN,
});

/** A Lambda-like environment: only what Lambda and the stack set, with placeholders for every function's config. */
const ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: SESSION_TOKEN,
  AWS_ENDPOINT_URL: endpoint.url,
  AWS_MAX_ATTEMPTS: '1',
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: new URL(endpoint.url).port,
  LOG_LEVEL: 'SILENT',
  SITE_NAME: 'Bench News',
  PUBLIC_API_URL: 'https://api.example.org',
  SIGNING_SECRET_ID: 'appeal/signing',
  STRIPE_SECRET_ID: 'appeal/stripe',
  SUBSCRIBERS_TABLE_NAME: 'subscribers',
  DONATIONS_TABLE_NAME: 'donations',
  AUDIT_TABLE_NAME: 'audit',
  MAIL_QUEUE_URL: `${endpoint.url}/123456789012/appeal-mail`,
  SIGNUP_AND_MAIL_QUEUE_URL: `${endpoint.url}/123456789012/appeal-signup-and-mail`,
  EVENTS_QUEUE_URL: `${endpoint.url}/123456789012/appeal-events`,
  WEBHOOK_QUEUE_URL: `${endpoint.url}/123456789012/appeal-webhooks`,
  LIST_IDS: 'news',
  DEFAULT_LIST: 'news',
  CONSENT_VERSION: 'v1',
  MAIL_FROM: 'Bench News <news@example.org>',
  CHARITY_NAME: 'Bench Charity',
  CHARITY_REGISTRATION: '1234567',
  POSTAL_ADDRESS: '1 Bench Street, Springfield',
  EXPORT_BUCKET_NAME: 'exports',
  EXPORT_WORKER_FUNCTION_NAME: 'export-worker',
  // What a stage sets besides (infra/constructs): a value given is a value parsed and checked at cold start, which a
  // default is not, so the functions are measured with the settings a newsroom deploys.
  SITE_URL: 'https://news.example.org/',
  SITE_ORIGINS: 'https://news.example.org',
  SITE_LANGUAGE: 'en',
  SITE_BRAND_COLOR: '#0a2a5e',
  SITE_ACCENT_COLOR: '#ffd500',
  SITE_TIME_ZONE: 'Europe/London',
  TAX_YEAR_START: '04-06',
  CURRENCIES: 'usd,eur,gbp',
  FEE_RATES: 'usd:0.029+30,eur:0.015+25,gbp:0.015+20',
  THANK_YOU_URL: 'https://news.example.org/thanks',
  CONFIRMED_URL: 'https://news.example.org/confirmed',
  DONATION_SUCCESS_URL: 'https://news.example.org/thank-you',
  DONATION_CANCEL_URL: 'https://news.example.org/donate',
  MAIL_REPLY_TO: 'editors@example.org',
  SENDER_NAME: 'Bench News',
};

interface Sample {
  ms: number;
  /** CPU time of the import (user and system, all threads): what other processes on the machine hardly move. */
  cpuMs: number;
  error?: string;
}

/** Imports a bundle in a fresh Node process; the time is the import (module init, top-level awaits included). */
const importTime = (file: string) =>
  new Promise<Sample>((resolve, reject) => {
    const script = [
      'const t = performance.now(); const cpu = process.cpuUsage(); let error;',
      `try { await import(${JSON.stringify(pathToFileURL(file).href)}); } catch (e) { error = String(e?.message ?? e).slice(0, 160); }`,
      'const used = process.cpuUsage(cpu);',
      'process.stdout.write(JSON.stringify({ ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000, error })); process.exit(0);',
    ].join('\n');
    execFile(NODE, ['--input-type=module', '-e', script], { env: ENV, timeout: 30_000 }, (error, stdout) => {
      if (error) return reject(new Error(`${file}: ${error.message}`));
      resolve(JSON.parse(stdout) as Sample);
    });
  });


// Bundle everything first, then measure, so that esbuild's work does not disturb the timings.
const rows = [];
for (const name of names) {
  const sdks = FUNCTIONS[name] ?? [];
  const entry = entryOf(name) ?? '';
  const fn = bundle({ name }, join(out, name));
  const ref = bundle({ files: referenceFiles(sdks, SECRETS[name] ?? []), name: `${name}.reference` }, join(out, `${name}-reference`)); // its sources kept beside, for a look
  rows.push({ name, entry, sdks, fn, ref, fnTimes: [] as number[], refTimes: [] as number[], fnCpu: [] as number[], refCpu: [] as number[], errors: new Set<string>() });
}

for (let run = 0; run < RUNS; run++) {
  for (const row of rows) {
    const a = await importTime(row.fn.file);
    const r = await importTime(row.ref.file);
    row.fnTimes.push(a.ms);
    row.refTimes.push(r.ms);
    row.fnCpu.push(a.cpuMs);
    row.refCpu.push(r.cpuMs);
    if (a.error) row.errors.add(a.error);
    if (r.error) row.errors.add(`reference: ${r.error}`);
  }
  process.stderr.write(`\rrun ${run + 1}/${RUNS}`);
}
process.stderr.write('\n');
endpoint.server.close();

const fmt = (x: number, digits = 0) => x.toFixed(digits);
console.log(`\nBundles as the stack makes them vs. a bare bundle of the SDK clients each function constructs`);
console.log(`(import in a fresh Node ${NODE_VERSION} process, median of ${RUNS}, interleaved; budget: import ≤ ${BUDGET.time}× the reference's, no client: ≤ the empty module's + ${BUDGET.noClientMarginMs} ms; sizes reported, not budgeted;`);
console.log(`90% interval of the time ratio from resampling the runs' pairs; "at the line" when it holds the budget, where one run's verdict is chance)`);
if (NODE_VERSION.split('.')[0] !== `v${LAMBDA_NODE_MAJOR}`) {
  console.log(`Lambda runs the functions on Node ${LAMBDA_NODE_MAJOR}, not ${NODE_VERSION}: the budget is judged on a run with --node naming a Node ${LAMBDA_NODE_MAJOR}.`);
}
console.log('');
console.log('| function | bundle KiB at cold start (all) | reference KiB | size ratio | import ms | reference ms | time ratio | 90% interval | CPU ms | reference CPU ms | CPU ratio | within time budget |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const row of rows) {
  const fnMs = median(row.fnTimes);
  const refMs = median(row.refTimes);
  const noClient = row.sdks.length === 0;
  const sizeRatio = row.fn.kib / row.ref.kib;
  const timeRatio = fnMs / refMs;
  const fnCpu = median(row.fnCpu);
  const refCpu = median(row.refCpu);
  const within = noClient ? fnMs - refMs <= BUDGET.noClientMarginMs : timeRatio <= BUDGET.time;
  const interval = ratioInterval(row.fnTimes, row.refTimes);
  const atTheLine = !noClient && interval.low <= BUDGET.time && BUDGET.time <= interval.high;
  const verdict = row.errors.size ? 'cold start failed' : `${within ? 'yes' : 'no'}${atTheLine ? ', at the line' : ''}`;
  console.log(
    `| ${row.name} | ${fmt(row.fn.kib)} (${fmt(row.fn.allKib)}) | ${noClient ? '–' : fmt(row.ref.kib)} | ${noClient ? '–' : fmt(sizeRatio, 2)} | ${fmt(fnMs)} | ${fmt(refMs)} | ${noClient ? `+${fmt(fnMs - refMs)} ms` : fmt(timeRatio, 2)} | ${noClient ? '–' : `${fmt(interval.low, 2)}–${fmt(interval.high, 2)}`} | ${fmt(fnCpu)} | ${fmt(refCpu)} | ${noClient ? '–' : fmt(fnCpu / refCpu, 2)} | ${verdict} |`,
  );
}

console.log('\nLargest inputs per function (KiB in the bundle), and what it holds beyond its reference:');
for (const row of rows) {
  const fnBytes = bytesByPackage(row.fn);
  const refBytes = bytesByPackage(row.ref);
  const top = [...fnBytes].sort((a, b) => b[1] - a[1]).slice(0, 5);
  const extra = [...fnBytes]
    .map(([pkg, bytes]) => [pkg, bytes - (refBytes.get(pkg) ?? 0)] as const)
    .filter(([, bytes]) => bytes > 512)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5);
  const list = (entries: readonly (readonly [string, number])[]) => entries.map(([pkg, bytes]) => `${pkg} ${fmt(bytes / 1024, 1)}`).join(', ');
  const reads = (SECRETS[row.name] ?? []).length;
  console.log(`\n${row.name} (${row.entry}; reference: ${[...row.sdks, ...(reads ? [`${reads} secret read${reads > 1 ? 's' : ''}`] : [])].join(', ') || 'none'})`);
  console.log(`  top 5:             ${list(top)}`);
  console.log(`  beyond reference:  ${list(extra) || '–'}`);
  const inFn = sdkPackages(fnBytes);
  const inRef = sdkPackages(refBytes);
  const missing = [...inFn].filter((pkg) => !inRef.has(pkg));
  const unused = [...inRef].filter((pkg) => !inFn.has(pkg));
  if (missing.length) console.log(`  warning: the bundle holds ${missing.join(', ')}, which the table does not list for ${row.name}`);
  if (unused.length) console.log(`  warning: the table lists ${unused.join(', ')} for ${row.name}, which its bundle does not hold`);
  for (const error of row.errors) console.log(`  cold start failed: ${error}`);
}
const catalogueKiB = (file: string) => statSync(join(CATALOGUE_SOURCE, file)).size / 1024;
console.log(
  `\nBeside each bundle (not in it, nor in its import): ${catalogueFiles.length} language catalogues, ${catalogueFiles.map((file) => `${file} ${fmt(catalogueKiB(file), 1)} KiB`).join(', ')}; a function reads one the first time a page or email needs that language.`,
);
// The embed's script is no function's bundle but the reader's download (web/embed/build.ts): its size, as served.
const embedScript = buildEmbedScript();
console.log(
  `\nThe embed (GET /v1/embed.js): ${fmt(Buffer.byteLength(embedScript) / 1024, 1)} KiB, ${fmt(gzipSync(embedScript, { level: 9 }).length / 1024, 1)} KiB gzipped (budget: 12 KiB gzipped).`,
);
console.log(`\nbundles in ${out}`);
