import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, logger as shared } from '../../../functions/platform/logger.js';

/** What the logger writes while `run` runs, as Lambda collects it: stdout and stderr, chunk by chunk. */
const written = (run: () => void) => {
  const chunks: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push({ stream, text: String(chunk) });
      return true;
    });
  }
  try {
    run();
  } finally {
    vi.restoreAllMocks();
  }
  return chunks;
};
const entriesOf = (chunks: { text: string }[]) => chunks.map(({ text }) => JSON.parse(text) as Record<string, unknown>);

/** Runs `run` with these environment variables set (undefined: unset), then puts them back. */
const withEnv = <T>(values: Record<string, string | undefined>, run: () => T): T => {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  const apply = (from: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(from)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(values);
  try {
    return run();
  } finally {
    apply(saved);
  }
};
const AT_INFO = { AWS_LAMBDA_LOG_LEVEL: undefined, POWERTOOLS_LOG_LEVEL: undefined, LOG_LEVEL: 'INFO' };

afterEach(() => vi.restoreAllMocks());

describe('logger', () => {
  it('writes each entry as one JSON line: level, message, time, service and the defined fields', () => {
    const logger = withEnv(AT_INFO, createLogger);
    const chunks = written(() => logger.info('message processed', { messageId: 'm-1', outcome: 'sent', skipped: undefined }));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.text.endsWith('\n')).toBe(true);
    expect(chunks[0]?.text.slice(0, -1)).not.toContain('\n');
    const [entry] = entriesOf(chunks);
    expect(entry).toMatchObject({ level: 'INFO', message: 'message processed', service: 'appeal', messageId: 'm-1', outcome: 'sent' });
    expect(entry).not.toHaveProperty('skipped');
    expect(new Date(String(entry?.timestamp)).toISOString()).toBe(entry?.timestamp);
  });

  it('writes WARN and ERROR to stderr, the rest to stdout (Lambda keeps both)', () => {
    const logger = withEnv(AT_INFO, createLogger);
    const chunks = written(() => {
      logger.info('i');
      logger.warn('w');
      logger.error('e');
    });
    expect(chunks.map(({ stream }) => stream)).toEqual(['stdout', 'stderr', 'stderr']);
  });

  it('drops entries below its level, and can be changed at run time', () => {
    const logger = withEnv({ ...AT_INFO, LOG_LEVEL: 'WARN' }, createLogger);
    const chunks = written(() => {
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
      logger.setLogLevel('SILENT');
      logger.error('quiet');
    });
    expect(entriesOf(chunks).map((entry) => entry.level)).toEqual(['WARN', 'ERROR']);
  });

  it('writes an error in a field with its name, message, stack, code and cause', () => {
    const logger = withEnv(AT_INFO, createLogger);
    const error = Object.assign(new Error('throttled', { cause: new TypeError('socket') }), { code: 'Throttling' });
    const [entry] = entriesOf(written(() => logger.error('unhandled error', { error, requestId: 'r-1' })));
    const logged = entry?.error as Record<string, unknown>;
    expect(logged).toMatchObject({ name: 'Error', message: 'throttled', code: 'Throttling', cause: { name: 'TypeError', message: 'socket' } });
    expect(String(logged.stack)).toContain('throttled');
    expect(entry?.requestId).toBe('r-1');
  });

  it('still writes a line when a field refers to itself', () => {
    const logger = withEnv(AT_INFO, createLogger);
    const loop: Record<string, unknown> = { id: 'x' };
    loop.self = loop;
    const [entry] = entriesOf(written(() => logger.warn('odd', { loop })));
    expect(entry).toMatchObject({ level: 'WARN', message: 'odd', loop: { id: 'x' } });
  });

  it('is the same logger where the functions use it, made with its first line', () => {
    const chunks = written(() => {
      shared.setLogLevel('INFO');
      shared.info('message processed', { messageId: 'm-2' });
      shared.debug('hidden');
      shared.setLogLevel('SILENT');
      shared.error('quiet');
    });
    expect(entriesOf(chunks)).toEqual([expect.objectContaining({ level: 'INFO', message: 'message processed', service: 'appeal', messageId: 'm-2' })]);
  });

  it("takes its level from Lambda's log level, then LOG_LEVEL, then INFO", () => {
    const levels = (env: Record<string, string | undefined>) => {
      const logger = withEnv({ ...AT_INFO, ...env }, createLogger);
      return entriesOf(
        written(() => {
          logger.debug('d');
          logger.info('i');
          logger.warn('w');
          logger.error('e');
        }),
      ).map((entry) => entry.level);
    };
    expect(levels({ AWS_LAMBDA_LOG_LEVEL: 'ERROR', LOG_LEVEL: 'DEBUG' })).toEqual(['ERROR']);
    expect(levels({ LOG_LEVEL: 'DEBUG' })).toEqual(['DEBUG', 'INFO', 'WARN', 'ERROR']);
    expect(levels({ LOG_LEVEL: undefined })).toEqual(['INFO', 'WARN', 'ERROR']);
    expect(levels({ LOG_LEVEL: 'SILENT' })).toEqual([]);
  });
});
