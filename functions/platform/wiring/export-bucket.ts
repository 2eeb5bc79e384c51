import { S3Client } from '@aws-sdk/client-s3';
import { type ClientOptions, clientConfig, recorded } from '../clients.js';

/** The S3 client of the export bucket (path-style where a stand-in needs it), for the admin API and the worker. */
export const s3Client = (clients: ClientOptions) =>
  recorded(new S3Client({ ...clientConfig(clients, 's3'), forcePathStyle: clients.s3ForcePathStyle ?? false }), clients, 's3');
