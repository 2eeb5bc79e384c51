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
