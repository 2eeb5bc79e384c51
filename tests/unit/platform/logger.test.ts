import { describe, expect, it } from 'vitest';
import { Logger } from '../../../functions/platform/logger.js';

const capture = (level?: ConstructorParameters<typeof Logger>[1]) => {
  const lines: string[] = [];
  const logger = new Logger('appeal', level, (line) => lines.push(line));
  return { logger, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>), lines };
};

describe('logger', () => {
  it('writes one JSON object per line with level, message, time, service and the fields', () => {
    const { logger, entries, lines } = capture('INFO');
    logger.info('message processed', { messageId: 'm-1', outcome: 'sent', skipped: undefined });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(lines[0]?.slice(0, -1)).not.toContain('\n');
    const [entry] = entries();
    expect(entry).toMatchObject({ level: 'INFO', message: 'message processed', service: 'appeal', messageId: 'm-1', outcome: 'sent' });
    expect(entry).not.toHaveProperty('skipped');
    expect(Number.isNaN(Date.parse(String(entry?.timestamp)))).toBe(false);
  });

  it('drops entries below its level and can be changed at run time', () => {
    const { logger, entries } = capture('WARN');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(entries().map((entry) => entry.level)).toEqual(['WARN', 'ERROR']);
    logger.setLogLevel('SILENT');
    logger.error('quiet');
    expect(entries()).toHaveLength(2);
  });

  it('prints an error with its name, message, stack, code and cause', () => {
    const { logger, entries } = capture('INFO');
    const error = Object.assign(new Error('throttled', { cause: new TypeError('socket') }), { code: 'Throttling' });
    logger.error('unhandled error', { error });
    const logged = entries()[0]?.error as Record<string, unknown>;
    expect(logged).toMatchObject({ name: 'Error', message: 'throttled', code: 'Throttling', cause: { name: 'TypeError', message: 'socket' } });
    expect(String(logged.stack)).toContain('throttled');
  });

  it('still writes a line when a field cannot be serialized', () => {
    const { logger, entries } = capture('INFO');
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    logger.warn('odd', { loop });
    expect(entries()[0]).toMatchObject({ level: 'WARN', message: 'odd', unserializable: true });
  });

  it('takes its level from Lambda, then LOG_LEVEL, then INFO', () => {
    const saved = { lambda: process.env.AWS_LAMBDA_LOG_LEVEL, own: process.env.LOG_LEVEL };
    try {
      process.env.AWS_LAMBDA_LOG_LEVEL = 'error';
      process.env.LOG_LEVEL = 'DEBUG';
      const lines: string[] = [];
      const fromLambda = new Logger('appeal', undefined, (line) => lines.push(line));
      fromLambda.warn('hidden');
      expect(lines).toHaveLength(0);
      delete process.env.AWS_LAMBDA_LOG_LEVEL;
      const fromOwn = new Logger('appeal', undefined, (line) => lines.push(line));
      fromOwn.debug('shown');
      expect(lines).toHaveLength(1);
      delete process.env.LOG_LEVEL;
      const byDefault = new Logger('appeal', undefined, (line) => lines.push(line));
      byDefault.debug('hidden');
      byDefault.info('shown');
      expect(lines).toHaveLength(2);
    } finally {
      for (const [key, value] of [['AWS_LAMBDA_LOG_LEVEL', saved.lambda], ['LOG_LEVEL', saved.own]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
