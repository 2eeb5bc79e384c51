import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../local/dynamodb-local.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** The one DynamoDB Local of this test run; each test file makes tables of its own in it. */
    dynamodbEndpoint: string;
  }
}

/** One JVM for the whole run (start-up costs seconds); tables per test file keep files independent. */
export default async function setup(project: TestProject) {
  const engine = await startDynamoLocal();
  project.provide('dynamodbEndpoint', engine.endpoint);
  return () => engine.close();
}
