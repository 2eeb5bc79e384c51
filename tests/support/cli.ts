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
