import type { TestProject } from 'vitest/node';
import { startStrictDynamoLocal } from '../../local/stand-ins/dynamodb-local.js';

declare module 'vitest' {
  interface ProvidedContext {
    /**
     * The one DynamoDB Local of this test run, behind the proxy that refuses colliding transactions as AWS does;
     * each test file makes tables of its own in it.
     */
    dynamodbEndpoint: string;
    /** The same engine without the proxy. */
    dynamodbEngineEndpoint: string;
  }
}

/** One JVM for the whole run (start-up costs seconds); tables per test file keep files independent. */
export default async function setup(project: TestProject) {
  const engine = await startStrictDynamoLocal();
  project.provide('dynamodbEndpoint', engine.endpoint);
  project.provide('dynamodbEngineEndpoint', engine.engineEndpoint);
  return () => engine.close();
}
