import { describe, expect, it } from 'vitest';
import { loadOnce, onDemand } from '../../../functions/platform/on-demand.js';

interface Store {
  get(id: string): Promise<string>;
}

describe('a port built on demand', () => {
  it('builds nothing until its first call, then once, whatever the number of calls', async () => {
    let builds = 0;
    const store = onDemand<Store>(async () => {
      builds += 1;
      return { get: async (id) => `item ${id}` };
    });
    expect(builds).toBe(0);
    await expect(Promise.all([store.get('a'), store.get('b')])).resolves.toEqual(['item a', 'item b']);
    await store.get('c');
    expect(builds).toBe(1);
  });

  it('tries the load again after it failed, and passes on the failure meanwhile', async () => {
    let attempts = 0;
    const store = onDemand<Store>(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('module not found');
      return { get: async () => 'ok' };
    });
    await expect(store.get('a')).rejects.toThrow('module not found');
    await expect(store.get('a')).resolves.toBe('ok');
  });

  it('passes on what the method throws, and is no thenable (awaiting it gives the port back)', async () => {
    const store = onDemand<Store>(async () => ({ get: async () => Promise.reject(new Error('refused')) }));
    await expect(store.get('a')).rejects.toThrow('refused');
    expect(await Promise.resolve(store)).toBe(store);
  });

  it('loadOnce shares one load between calls, and loads again after a failure', async () => {
    let attempts = 0;
    const load = loadOnce(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('chunk not found');
      return { n: attempts };
    });
    await expect(load()).rejects.toThrow('chunk not found');
    const [a, b] = await Promise.all([load(), load()]);
    expect(a).toBe(b);
    expect(await load()).toEqual({ n: 2 });
    expect(attempts).toBe(2);
  });
});
