import { Logger } from '@aws-lambda-powertools/logger';

/** The one structured logger: constant messages, ids in fields, never addresses, bodies or secrets. */
export const logger = new Logger({ serviceName: 'appeal' });
