import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface AppFunctionProps {
  /** The handler file under functions/handlers, without extension. */
  handler: string;
  description: string;
  environment: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
}

/**
 * A NodejsFunction with our defaults: Node 22 on arm64, one ESM bundle per handler made by the local esbuild
 * (never Docker), source maps, a log group with retention. The bind helpers set an environment variable and the
 * least-privilege grant that goes with it, side by side.
 */
export class AppFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.THREE_MONTHS });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${ROOT}functions/handlers/${props.handler}.ts`,
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup,
      environment: {
        // No --enable-source-maps: it adds 22-25 ms to every cold start. The maps ship beside the bundle, for
        // decoding a stack trace by hand when one is needed.
        POWERTOOLS_SERVICE_NAME: 'appeal',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
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
  }

  bindTable(table: ITable, envName: string, access: 'read' | 'readWrite') {
    this.fn.addEnvironment(envName, table.tableName);
    if (access === 'read') table.grantReadData(this.fn);
    else table.grantReadWriteData(this.fn);
    return this;
  }

  bindQueueSender(queue: IQueue, envName: string) {
    this.fn.addEnvironment(envName, queue.queueUrl);
    queue.grantSendMessages(this.fn);
    return this;
  }

  bindSecret(secret: ISecret, envName: string) {
    this.fn.addEnvironment(envName, secret.secretArn);
    secret.grantRead(this.fn);
    return this;
  }
}
