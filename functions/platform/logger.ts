import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, LogLevel } from '@aws-lambda-powertools/logger/types';

/**
 * The one structured logger, Powertools for AWS Lambda's: constant lower-case messages, ids in fields, never
 * addresses, bodies or secrets (`logger.info('message processed', { messageId, outcome })`).
 *
 * Each entry is one JSON object on one line: `level`, `message`, `timestamp`, `service`, then the fields, without
 * those that are undefined. CloudWatch Logs Insights reads it by field, and so do the metric filters
 * (infra/log-metrics.ts). DEBUG and INFO go to stdout, WARN and ERROR to stderr; Lambda puts both in the function's
 * log group. An Error in a field is written with its name, message, stack, own properties (`code`) and cause.
 *
 * The level: Lambda's `AWS_LAMBDA_LOG_LEVEL` when the function's log level is set in Lambda, else
 * `POWERTOOLS_LOG_LEVEL` or `LOG_LEVEL` (the stack sets INFO), else INFO; `SILENT` writes nothing (the tests).
 */
export const createLogger = () => new Logger({ serviceName: 'appeal' });

/** A line's fields: ids and outcomes, never addresses, bodies or secrets; an Error is written whole. */
export type LogFields = LogAttributes;

let made: Logger | undefined;
const once = () => (made ??= createLogger());

/**
 * The functions' logger, made with its first line rather than at import: making one opens stdout and stderr (a
 * Console over each), which every cold start would otherwise pay for though many requests write no line.
 */
export const logger = {
  debug: (message: string, fields: LogFields = {}) => once().debug(message, fields),
  info: (message: string, fields: LogFields = {}) => once().info(message, fields),
  warn: (message: string, fields: LogFields = {}) => once().warn(message, fields),
  error: (message: string, fields: LogFields = {}) => once().error(message, fields),
  setLogLevel: (level: LogLevel) => once().setLogLevel(level),
};
