import { AssetHashType, DockerImage, Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  type CfnFunction,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsLogLevel,
  ParamsAndSecretsVersions,
  type IFunction,
  ApplicationLogLevel,
  LoggingFormat,
  Runtime,
  type SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConfigurationSet, IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import type { Schema } from '../../functions/core/shared/schema.js';
import { type EnvOf, envFor } from '../../functions/configs.js';
import { acceptFinding } from '../nag.js';
import { bundleFunction } from '../bundling.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** DynamoDB actions on a table's items (each names its items by key, so `dynamodb:LeadingKeys` applies). */
export type ItemAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:BatchWriteItem'
  /** A Query on the table itself (not an index), by partition key: limited to its kinds of item like the others. */
  | 'dynamodb:Query';

/**
 * What a function may do with one table, and nothing more. A transaction needs the action of each of its items
 * (a Put is dynamodb:PutItem), so it is listed by those.
 */
export interface TableAccess {
  /**
   * Per item action, the kinds of item it may touch: partition key prefixes from the README's item design
   * (`SUB#`, `RATE#`, `COUNTS#SUBSCRIBERS#`…), enforced by a `dynamodb:LeadingKeys` condition. So the public
   * subscriptions function can delete a suppression marker but no subscriber, and write no admin token.
   */
  items?: Partial<Record<ItemAction, readonly string[]>>;
  /** The indexes it queries, by name (dynamodb:Query on `<table>/index/<name>`, never index/*). */
  query?: readonly string[];
  /**
   * Whether it queries the table itself (dynamodb:Query on the table): only for a table that holds one kind of item,
   * such as the audit log, since a Query names no item a `dynamodb:LeadingKeys` condition could check.
   */
  queryTable?: boolean;
  /** Whether it scans the whole table (dynamodb:Scan: a parallel export); a Scan cannot be limited by key. */
  scan?: boolean;
}

/** S3 actions on objects. */
export type ObjectAction = 's3:GetObject' | 's3:PutObject' | 's3:AbortMultipartUpload';

/**
 * Grants that come with an environment variable: each grants the function exactly the actions it calls on a
 * resource (tests/infra/least-privilege.test.ts records the calls and checks the role against them) and returns
 * the value for the variable, so that the variable and its least-privilege grant sit side by side.
 */
export interface Bind {
  /** The table's name; grants exactly `access`. */
  table(table: ITable, access: TableAccess): string;
  /** The queue's URL; grants sqs:SendMessage on that queue. */
  queueSender(queue: IQueue): string;
  /** The secret's ARN; grants secretsmanager:GetSecretValue on it, what the Parameters and Secrets extension calls. */
  secret(secret: ISecret): string;
  /** The bucket's name; grants `actions` on the objects under `prefix` (e.g. `exports/`) only. */
  objects(bucket: IBucket, prefix: string, actions: readonly ObjectAction[]): string;
  /** The function's name; grants lambda:InvokeFunction on that function, unqualified (no version, no alias). */
  invoker(fn: IFunction): string;
  /** The configuration set's name; grants ses:SendEmail as `identity`, through `configurationSet` (SES checks both). */
  mailSender(identity: IEmailIdentity, configurationSet: IConfigurationSet): string;
}

export interface AppFunctionProps<S extends Schema> {
  /** The function's folder under functions/: its entry (composition root) is index.ts there. */
  entry: string;
  description: string;
  /** The function's configuration schema (functions/<name>/config.ts): its whole environment contract. */
  config: S;
  /** Constants the bundler inlines (esbuild's `define`), e.g. the embed's script. */
  define?: Record<string, string>;
  /** Every variable the schema reads, by name (a missing or misspelt one fails `tsc`); undefined leaves it unset. */
  environment: (bind: Bind) => EnvOf<S>;
  memorySize?: number;
  timeout?: Duration;
  /**
   * Attach the AWS Parameters and Secrets Lambda Extension (a layer serving secrets on localhost:2773, read by
   * functions/adapters/secrets-extension.ts). The function still needs read access to each secret (`bind.secret`).
   */
  secretsExtension?: boolean;
  /** Lambda's own X-Ray tracing; default active. A function called per page view may not afford a trace per request. */
  tracing?: Tracing;
  /**
   * Lambda's own START/END/REPORT lines at this level only (JSON log format; the function's own lines are unchanged,
   * its level from AWS_LAMBDA_LOG_LEVEL, INFO); default: text format with every platform line. For a function called
   * per page view, where a million invocations' platform lines cost about $0.2 to ingest.
   */
  systemLogLevel?: SystemLogLevel;
}

/**
 * A Lambda function with our defaults: Node 22 on arm64, bundled by the local esbuild (never Docker) as
 * infra/bundling.ts says (one ESM entry, code split, source maps; not NodejsFunction, which cannot split), a log
 * group with retention. Its environment is typed by the function's
 * configuration schema, and each variable that names a resource comes with the least-privilege grant for it.
 */
export class AppFunction<S extends Schema = Schema> extends Construct {
  readonly fn: LambdaFunction;
  /** The function's own log group: one JSON object per line (functions/platform/logger.ts), for metric filters. */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: AppFunctionProps<S>) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.THREE_MONTHS });
    this.logGroup = logGroup;
    this.fn = new LambdaFunction(this, 'Function', {
      code: Code.fromAsset(ROOT, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Bundled here by the local esbuild (infra/bundling.ts); the image is never pulled, since local bundling
          // always succeeds or throws.
          image: DockerImage.fromRegistry('none'),
          // What CDK's asset cache tells bundles apart by (it cannot see into `local`): the function and its constants.
          command: ['bundle', props.entry, JSON.stringify(props.define ?? {})],
          local: {
            tryBundle: (outputDir) => {
              bundleFunction(ROOT, props.entry, outputDir, props.define);
              return true;
            },
          },
        },
      }),
      handler: 'index.handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup,
      // Lambda's own X-Ray tracing: the runtime records each invocation and its cold start, with no tracer library
      // in the bundle, which would add to the cold start (budgeted by `npm run bench:bundles`). AWS SDK calls show
      // as time in the handler.
      tracing: props.tracing ?? Tracing.ACTIVE,
      ...(props.systemLogLevel
        ? { loggingFormat: LoggingFormat.JSON, systemLogLevelV2: props.systemLogLevel, applicationLogLevelV2: ApplicationLogLevel.INFO }
        : {}),
      paramsAndSecrets: props.secretsExtension
        ? // The secrets are read once per cold start: a small cache, and only warnings in the logs.
          ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
            cacheSize: 10,
            logLevel: ParamsAndSecretsLogLevel.WARN,
          })
        : undefined,
      environment: { LOG_LEVEL: 'INFO' },
    });
    for (const [name, value] of Object.entries(envFor(props.config, props.environment(this.bind)))) {
      this.fn.addEnvironment(name, value);
    }

    // cdk-nag findings every function shares, each answered on this function only (infra/nag.ts).
    acceptFinding(
      this,
      'AwsSolutions-IAM4',
      "AwsSolutions-IAM4: AWSLambdaBasicExecutionRole only lets the function write its own logs; CDK attaches it to every function's role.",
      ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    );
    if ((props.tracing ?? Tracing.ACTIVE) === Tracing.ACTIVE) {
      acceptFinding(
        this,
        'AwsSolutions-IAM5',
        'AwsSolutions-IAM5: X-Ray has no resource-level permissions, so tracing\'s xray:PutTraceSegments and xray:PutTelemetryRecords need Resource "*" (the infra tests check that no other action has it).',
        ['Resource::*'],
      );
    }
    for (const rule of ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion']) {
      acceptFinding(
        this,
        rule,
        `${rule}: Node 22 is the runtime the bundles target (esbuild node22) and the cold-start budget is judged on; moving to a newer Node is a deliberate change, made with the budget measured again on it (npm run bench:bundles -- --node).`,
      );
    }
  }

  /**
   * Reserves concurrency for this function, which also caps it: a flood elsewhere cannot take its capacity, and it
   * cannot take more than this. Off unless the stage asks (`reservedConcurrency` in infra/config.ts): a new
   * account's quota can be as low as 10, and there any reservation fails the deploy.
   */
  reserveConcurrency(count: number | undefined) {
    if (count === undefined) return;
    (this.fn.node.defaultChild as CfnFunction).reservedConcurrentExecutions = count;
  }

  private allow(actions: readonly string[], resources: string[], conditions?: Record<string, unknown>) {
    this.fn.addToRolePolicy(new PolicyStatement({ actions: [...actions], resources, ...(conditions ? { conditions } : {}) }));
  }

  private readonly bind: Bind = {
    table: (table, access) => {
      // One statement per set of item kinds: the actions that may touch the same kinds share it.
      const byKinds = new Map<string, string[]>();
      for (const [action, prefixes] of Object.entries(access.items ?? {})) {
        if (!prefixes?.length) throw new Error(`${action} on ${table.node.id} names no kind of item (a partition key prefix)`);
        const kinds = JSON.stringify([...new Set(prefixes)].sort());
        byKinds.set(kinds, [...(byKinds.get(kinds) ?? []), action]);
      }
      for (const [kinds, actions] of byKinds) {
        const leadingKeys = (JSON.parse(kinds) as string[]).map((prefix) => `${prefix}*`);
        this.allow(actions, [table.tableArn], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys } });
      }
      if (access.scan) this.allow(['dynamodb:Scan'], [table.tableArn]);
      if (access.queryTable) this.allow(['dynamodb:Query'], [table.tableArn]);
      for (const index of access.query ?? []) this.allow(['dynamodb:Query'], [`${table.tableArn}/index/${index}`]);
      return table.tableName;
    },
    queueSender: (queue) => {
      this.allow(['sqs:SendMessage'], [queue.queueArn]);
      return queue.queueUrl;
    },
    secret: (secret) => {
      // The extension reads the secret with the function's role; the default key (aws/secretsmanager) needs no grant.
      this.allow(['secretsmanager:GetSecretValue'], [secret.secretArn]);
      return secret.secretArn;
    },
    objects: (bucket, prefix, actions) => {
      this.allow(actions, [bucket.arnForObjects(`${prefix}*`)]);
      return bucket.bucketName;
    },
    invoker: (fn) => {
      this.allow(['lambda:InvokeFunction'], [fn.functionArn]);
      return fn.functionName;
    },
    mailSender: (identity, configurationSet) => {
      const configurationSetArn = Stack.of(this).formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: configurationSet.configurationSetName,
      });
      this.allow(['ses:SendEmail'], [identity.emailIdentityArn, configurationSetArn]);
      return configurationSet.configurationSetName;
    },
  };
}
