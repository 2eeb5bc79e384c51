import { Logger } from '@aws-lambda-powertools/logger';

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

export const logger = createLogger();
