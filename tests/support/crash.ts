import { readdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';

/** Thrown by a wrapped port to stand for the function dying right after a write succeeded. */
export class Crash extends Error {
  override name = 'Crash';
}

export const GIFT_WRITES: Record<string, string[]> = {
  gifts: ['save'],
  campaigns: ['saveSettings'],
  monthly: ['record'],
  queue: ['enqueue'],
};

/**
 * Wraps the ports of a deps object so that the n-th write (counting from 1) completes and then "crashes".
 * `count()` tells how many writes a run made, to try a crash after each of them in turn.
 */
export const crashAfterWrite = <T extends object>(deps: T, n: number, writesOf: Record<string, string[]> = GIFT_WRITES) => {
  let writes = 0;
  const wrapped: Record<string, unknown> = { ...(deps as Record<string, unknown>) };
  for (const [port, methods] of Object.entries(writesOf)) {
    const target = (deps as Record<string, unknown>)[port] as Record<string, (...args: unknown[]) => Promise<unknown>> | undefined;
    if (!target) continue;
    wrapped[port] = new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== 'function' || !methods.includes(String(property))) {
          return typeof value === 'function' ? value.bind(object) : value;
        }
        return async (...args: unknown[]) => {
          const result = await value.apply(object, args);
          writes += 1;
          if (writes === n) throw new Crash(`crash after write ${n} (${port}.${String(property)})`);
          return result;
        };
      },
    });
  }
  return { deps: wrapped as T, count: () => writes };
};

/**
 * Runs the steps in turn; a step that crashed (Crash) is run once more, as the caller's retry would be (SQS
 * redelivery, the reader clicking again, the admin again). Answers whether any step crashed.
 */
export const runRetryingAfterCrash = async (steps: (() => Promise<unknown>)[]) => {
  let crashed = false;
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      if (!(error instanceof Crash)) throw error;
      crashed = true;
      await step();
    }
  }
  return crashed;
};

/** The files of a folder (those `accept` names) and their content, by name: to tell afterwards what a write changed. */
export const filesIn = async (dir: string, accept: (name: string) => boolean = () => true): Promise<Map<string, Buffer>> => {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile() && accept(entry.name)) files.set(entry.name, await readFile(join(dir, entry.name)));
  }
  return files;
};

/**
 * What a `kill -9` in the middle of a write leaves: each file of `dir` (of those `accept` names) that changed since
 * `before` is cut in the middle of what its last write brought. Past the part it still shares with its content
 * before: a file rewritten whole keeps the first part of its new content, a file appended to keeps the old content
 * and part of the new line. Answers the names of the files it cut.
 */
export const tearLastWrite = async (dir: string, before: Map<string, Buffer>, accept: (name: string) => boolean = () => true) => {
  const torn: string[] = [];
  for (const [name, content] of await filesIn(dir, accept)) {
    const old = before.get(name) ?? Buffer.alloc(0);
    let shared = 0;
    while (shared < Math.min(old.length, content.length) && old[shared] === content[shared]) shared += 1;
    if (shared === content.length) continue;
    await truncate(join(dir, name), shared + Math.ceil((content.length - shared) / 2));
    torn.push(name);
  }
  return torn;
};
