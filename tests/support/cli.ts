import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  child: ChildProcess;
  /** Its output and exit code, once it has exited (`code` null when a signal ended it). */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts one of our command-line tools (`cli/<name>.ts`) as npm runs it, without waiting for it. */
export const startCli = (name: 'admin' | 'smoke', args: string[], env: Record<string, string> = {}): CliRun => {
  const child = spawn(process.execPath, ['--import', 'tsx', `cli/${name}.ts`, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
};

/** Runs one of our command-line tools (`cli/<name>.ts`) as npm runs it, and collects its output and exit code. */
export const runCli = (name: 'admin' | 'smoke', args: string[], env: Record<string, string> = {}) => startCli(name, args, env).done;

/** Runs `npm run admin -- …` as a person would (same entry point). */
export const runAdmin = (args: string[], env: Record<string, string> = {}) => runCli('admin', args, env);

/** Thrown by `process.exit` while the CLI runs in this process: it ends the run where a real exit would. */
class CliExit extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

let runs = 0;
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `npm run admin -- …` inside this test process, with what a process would get: `args` as its argv, `env` in its
 * environment, its console and standard output and error collected, and its exit code (from `process.exit`, else
 * `process.exitCode`); whatever it writes after exiting is dropped, as a real exit would. The CLI's entry is imported
 * afresh for each run (its program holds its options), while the modules below it stay loaded: this is what saves a
 * second of start-up a run, where a file runs the CLI dozens of times. One run at a time (they share the process's
 * globals). What only a process shows (a signal, a hang on an open handle) stays with `runAdmin`.
 */
export const runAdminHere = (args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> => {
  const run = queue.then(() => runInThisProcess(args, env));
  queue = run.catch(() => undefined);
  return run;
};

const runInThisProcess = async (args: string[], env: Record<string, string>) => {
  const { format } = await import('node:util');
  const out = { stdout: '', stderr: '', exited: undefined as number | undefined };
  const write = (stream: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
      if (out.exited === undefined) out[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    }) as typeof process.stdout.write;
  const print = (stream: 'stdout' | 'stderr') => (...values: unknown[]) => {
    if (out.exited === undefined) out[stream] += `${format(...values)}\n`;
  };
  const saved = {
    argv: process.argv,
    exitCode: process.exitCode,
    exit: process.exit,
    stdoutWrite: process.stdout.write,
    stderrWrite: process.stderr.write,
    console: { log: console.log, info: console.info, warn: console.warn, error: console.error },
    env: Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]])),
  };
  const entry = fileURLToPath(new URL('cli/admin.ts', `file://${ROOT}/`));
  process.argv = [process.execPath, entry, ...args];
  process.exitCode = undefined;
  process.exit = ((code?: number | string | null) => {
    out.exited ??= Number(code ?? process.exitCode ?? 0);
    throw new CliExit(out.exited);
  }) as typeof process.exit;
  process.stdout.write = write('stdout');
  process.stderr.write = write('stderr');
  Object.assign(console, { log: print('stdout'), info: print('stdout'), warn: print('stderr'), error: print('stderr') });
  Object.assign(process.env, env);
  try {
    await import(/* @vite-ignore */ `../../cli/admin.ts?run=${++runs}`);
  } catch (error) {
    if (!(error instanceof CliExit)) throw error;
  } finally {
    const code = out.exited ?? Number(process.exitCode ?? 0);
    process.argv = saved.argv;
    process.exitCode = saved.exitCode;
    process.exit = saved.exit;
    process.stdout.write = saved.stdoutWrite;
    process.stderr.write = saved.stderrWrite;
    Object.assign(console, saved.console);
    for (const [name, value] of Object.entries(saved.env)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    out.exited = code;
  }
  return { code: out.exited ?? 0, stdout: out.stdout, stderr: out.stderr };
};
