import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import {
  Architecture,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsLogLevel,
  ParamsAndSecretsVersions,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import type { Schema } from '../../functions/core/shared/schema.js';
import { type EnvOf, envFor } from '../../functions/platform/config.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Grants that come with an environment variable: each grants the function what it needs of a resource and
 * returns the value for the variable, so that the variable and its least-privilege grant sit side by side.
 */
export interface Bind {
  table(table: ITable, access: 'read' | 'readWrite'): string;
  queueSender(queue: IQueue): string;
  secret(secret: ISecret): string;
}

export interface AppFunctionProps<S extends Schema> {
  /** The function's entry (its composition root) under functions/entries, without extension. */
  entry: string;
  description: string;
  /** The function's configuration schema (functions/platform/config.ts): its whole environment contract. */
  config: S;
  /** Every variable the schema reads, by name (a missing or misspelt one fails `tsc`); undefined leaves it unset. */
  environment: (bind: Bind) => EnvOf<S>;
  memorySize?: number;
  timeout?: Duration;
  /**
   * Attach the AWS Parameters and Secrets Lambda Extension (a layer serving secrets on localhost:2773, read by
   * functions/adapters/secrets-extension.ts). The function still needs read access to each secret (`bind.secret`).
   */
  secretsExtension?: boolean;
}

/**
 * A NodejsFunction with our defaults: Node 22 on arm64, one ESM bundle per entry made by the local esbuild
 * (never Docker), source maps, a log group with retention. Its environment is typed by the function's
 * configuration schema, and each variable that names a resource comes with the least-privilege grant for it.
 */
export class AppFunction<S extends Schema = Schema> extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: AppFunctionProps<S>) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.THREE_MONTHS });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${ROOT}functions/entries/${props.entry}.ts`,
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup,
      paramsAndSecrets: props.secretsExtension
        ? // The secrets are read once per cold start: a small cache, and only warnings in the logs.
          ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
            cacheSize: 10,
            logLevel: ParamsAndSecretsLogLevel.WARN,
          })
        : undefined,
      environment: {
        // No --enable-source-maps: it adds 22-25 ms to every cold start. The maps ship beside the bundle, for
        // decoding a stack trace by hand when one is needed.
        LOG_LEVEL: 'INFO',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        forceDockerBundling: false,
        // The SDK is bundled (not taken from the runtime) so that what we test is what runs.
        externalModules: [],
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      },
    });
    for (const [name, value] of Object.entries(envFor(props.config, props.environment(this.bind)))) {
      this.fn.addEnvironment(name, value);
    }
  }

  private readonly bind: Bind = {
    table: (table, access) => {
      if (access === 'read') table.grantReadData(this.fn);
      else table.grantReadWriteData(this.fn);
      return table.tableName;
    },
    queueSender: (queue) => {
      queue.grantSendMessages(this.fn);
      return queue.queueUrl;
    },
    secret: (secret) => {
      secret.grantRead(this.fn);
      return secret.secretArn;
    },
  };
}
