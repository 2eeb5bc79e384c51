import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { ExportWorker } from '../core/admin/exports/ports.js';

/** Starts the export worker function asynchronously (InvocationType Event): Lambda queues and retries it. */
export class LambdaExportWorker implements ExportWorker {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async start(jobId: string) {
    await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ exportId: jobId })),
      }),
    );
  }
}
