import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const probe = (port: number) =>
  new Promise<number | undefined>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(port)));
  });

/**
 * A free port for a dev server (its demo site takes the next one), chosen below Linux's ephemeral range
 * (32768-60999): the stand-ins it starts first listen on ports the system picks from that range, and one of them
 * could otherwise take the port this returned before the server listens on it.
 */
export const freePort = async (): Promise<number> => {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = await probe(20_000 + Math.floor(Math.random() * 6_000) * 2);
    if (port !== undefined && (await probe(port + 1)) !== undefined) return port;
  }
  throw new Error('no free port pair between 20000 and 32000');
};

export interface RunningProduct {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Ctrl-C, as a person would; resolves with the exit code. */
  interrupt(): Promise<number | null>;
  /** `kill -9`, as a crash or an out-of-memory killer would: no handler runs. Resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * Runs `npm start`'s entry point in its own process, as a person would, and waits for its banner. A port another
 * test's server took between freePort's probe and this server's start is tried again with another.
 */
export const startProduct = async (dataDir: string, env: Record<string, string> = {}): Promise<RunningProduct> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(dataDir, env);
    } catch (error) {
      if (attempt >= 3 || !/Port \d+.* is in use/.test(String(error))) throw error;
    }
  }
};

const startOnce = async (dataDir: string, env: Record<string, string>): Promise<RunningProduct> => {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), APPEAL_DATA_DIR: dataDir, NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner after 60 s:\n${output}`)), 60_000);
    child.stdout?.on('data', () => {
      const found = output.match(/API:\s+(\S+?)\/?\s/);
      if (found?.[1]) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${output}`)));
  });
  return {
    url,
    child,
    output: () => output,
    interrupt: () =>
      new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill('SIGINT');
      }),
    kill: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
};
