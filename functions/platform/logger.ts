/**
 * The one structured logger: constant messages, ids in fields, never addresses, bodies or secrets.
 *
 * One JSON object per line on stdout (level, message, timestamp, service, then the fields), which CloudWatch Logs
 * Insights reads as fields without a parser. Its level comes from `LOG_LEVEL` (or Lambda's own
 * `AWS_LAMBDA_LOG_LEVEL` when the function's log level is set in Lambda), INFO by default. It is ours rather than
 * Powertools' logger because that one does not fit the import-time budget: measured with `npm run bench:bundles`,
 * it took the donations function from 1.21 to 1.28 times its reference on Node 20, and to 1.22 and 1.23 on Node 22
 * (1.14 and 1.18 without it, in alternating runs; budget 1.25), for the four levels and one line shape we use.
 */
const LEVELS = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, SILENT: 100 } as const;
export type LogLevel = keyof typeof LEVELS;
export type LogFields = Record<string, unknown>;

const levelOf = (value: string | undefined): LogLevel | undefined => {
  const upper = value?.toUpperCase();
  return upper && upper in LEVELS ? (upper as LogLevel) : undefined;
};

/** Errors become plain fields (JSON.stringify would print `{}`), with their cause. */
const plain = (value: unknown, depth = 0): unknown => {
  if (value instanceof Error) {
    return {
      name: value.name,
      message: value.message,
      stack: value.stack,
      ...('code' in value && value.code !== undefined ? { code: value.code } : {}),
      ...(value.cause !== undefined && depth < 3 ? { cause: plain(value.cause, depth + 1) } : {}),
    };
  }
  return value;
};

export class Logger {
  private threshold: number;

  constructor(
    private readonly service: string,
    level: LogLevel = levelOf(process.env.AWS_LAMBDA_LOG_LEVEL) ?? levelOf(process.env.LOG_LEVEL) ?? 'INFO',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {
    this.threshold = LEVELS[level];
  }

  setLogLevel(level: LogLevel) {
    this.threshold = LEVELS[level];
  }

  debug(message: string, fields?: LogFields) {
    this.log('DEBUG', message, fields);
  }
  info(message: string, fields?: LogFields) {
    this.log('INFO', message, fields);
  }
  warn(message: string, fields?: LogFields) {
    this.log('WARN', message, fields);
  }
  error(message: string, fields?: LogFields) {
    this.log('ERROR', message, fields);
  }

  private log(level: Exclude<LogLevel, 'SILENT'>, message: string, fields: LogFields = {}) {
    if (LEVELS[level] < this.threshold) return;
    const entry: LogFields = { level, message, timestamp: new Date().toISOString(), service: this.service };
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) entry[key] = plain(value);
    let line: string;
    try {
      line = JSON.stringify(entry);
    } catch {
      line = JSON.stringify({ level, message, timestamp: entry.timestamp, service: this.service, unserializable: true });
    }
    this.write(`${line}\n`);
  }
}

export const logger = new Logger('appeal');
