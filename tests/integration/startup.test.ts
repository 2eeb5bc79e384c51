import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('npm start, while starting', () => {
  it('refuses connections until it can answer them: no request made during start-up is left hanging', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'appeal-startup-'));
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), APPEAL_DATA_DIR: dataDir, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const outcomes: string[] = [];
    try {
      // Ask from the first moment, as a browser reloading the page would, until an answer comes.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const started = Date.now();
        const outcome = await fetch(`http://127.0.0.1:${port}/v1/campaigns/ukraine`, { signal: AbortSignal.timeout(10_000) }).then(
          (response) => `answered ${response.status}`,
          (error: Error) => (error.name === 'TimeoutError' ? `hung ${Date.now() - started} ms` : 'refused'),
        );
        outcomes.push(outcome);
        if (outcome.startsWith('answered') || outcome.startsWith('hung') || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(outcomes.filter((o) => o.startsWith('hung'))).toEqual([]);
      expect(outcomes.at(-1)).toBe('answered 200');
      expect(outcomes.length).toBeGreaterThan(1); // it was asked while starting, and refused meanwhile
    } finally {
      child.kill('SIGINT');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
