import type { AwsCall } from '../../functions/platform/clients.js';
import { TABLES } from '../../infra/tables.js';

// Least privilege, proven: what each function's code asks of AWS (recorded by the dev server through the
// composition roots' clients), turned into IAM requests, and checked against the function's role in the
// synthesized CloudFormation template. Used by tests/infra/least-privilege.test.ts.

// ---------------------------------------------------------------------------------------------------------------
// 1. SDK command → IAM action and resource

/** A resource as the function's code names it: the local stand-in's name, URL or id. */
export type Resource =
  | { type: 'table'; name: string; index?: string }
  | { type: 'queue'; url: string }
  | { type: 'secret'; id: string }
  | { type: 'object'; bucket: string; key: string }
  | { type: 'function'; name: string; qualifier?: string }
  /** The SES identity a message is sent as: the From address's domain (or the address, if verified alone). */
  | { type: 'sender'; from: string }
  | { type: 'configuration-set'; name: string };

/** One authorization AWS makes for a call: a call may need several (a transaction, one per item). */
export interface IamRequest {
  action: string;
  resource: Resource;
  /** The partition key values of the items an item-level DynamoDB request touches (`dynamodb:LeadingKeys`). */
  keys?: string[];
}

type Input = Readonly<Record<string, unknown>>;

const record = (value: unknown): Input => (value && typeof value === 'object' ? (value as Input) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
const text = (value: unknown) => (typeof value === 'string' ? value : '');

const PARTITION_KEYS = new Set(Object.values(TABLES).map((design) => design.partitionKey));

/** The partition key value of a key or an item, in the DocumentClient's form or DynamoDB's (`{ S: … }`). */
const partitionKey = (key: unknown) => {
  const found = Object.entries(record(key)).find(([name]) => PARTITION_KEYS.has(name))?.[1];
  return typeof found === 'string' ? found : text(record(found).S);
};

const itemKeys = (input: Input) => {
  const key = partitionKey(input.Key ?? input.Item);
  return key ? { keys: [key] } : {};
};

const table = (input: Input): Resource => {
  const index = text(input.IndexName);
  return { type: 'table', name: text(input.TableName), ...(index ? { index } : {}) };
};

/** Single-table commands whose IAM action has the command's name (Query and Scan also on an index). */
const DYNAMODB_SINGLE = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'DescribeTable']);
/** A transaction needs the permission of each of its items' operations; it has no action of its own. */
const TRANSACT_WRITE: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};
/** lib-storage's Upload (one PutObject, or a multipart upload): every step but the abort is s3:PutObject. */
const S3_OBJECT: Record<string, string> = {
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  ListParts: 's3:ListMultipartUploadParts',
  // A presigned GET is signed with the function's credentials: the reader's GET is authorized as the function's.
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  PutObjectTagging: 's3:PutObjectTagging',
};

/** The partition a Query of the table names in its key condition (`pk = :value`), as a key's partition value. */
const queriedPartition = (input: Record<string, unknown>): string | undefined => {
  const placeholder = /\bpk\s*=\s*(:\w+)/.exec(String(input.KeyConditionExpression ?? ''))?.[1];
  const value = placeholder === undefined ? undefined : record(input.ExpressionAttributeValues)[placeholder];
  return typeof value === 'string' ? value : text(record(value).S);
};

/**
 * The IAM requests one SDK call makes. A command this table does not know maps to `unmapped:<command>`, which
 * no policy allows: a new kind of call fails the check until its IAM meaning is written down here.
 */
export const iamRequests = (call: AwsCall): IamRequest[] => {
  const name = call.command.replace(/Command$/, '');
  const input = call.input;
  const unmapped = (resource: Resource): IamRequest[] => [{ action: `unmapped:${call.service}:${call.command}`, resource }];
  switch (call.service) {
    case 'dynamodb': {
      // Query and Scan name no item (a Query's key condition is not read here): they carry no keys.
      // A Query of the table itself names one partition (`pk = :value`): IAM checks its leading key like an item's.
      const partition = name === 'Query' && !input.IndexName ? queriedPartition(input) : undefined;
      if (partition !== undefined) return [{ action: 'dynamodb:Query', resource: table(input), keys: [partition] }];
      if (name === 'Query' || name === 'Scan' || name === 'DescribeTable') return [{ action: `dynamodb:${name}`, resource: table(input) }];
      if (DYNAMODB_SINGLE.has(name)) return [{ action: `dynamodb:${name}`, resource: table(input), ...itemKeys(input) }];
      if (name === 'BatchGetItem' || name === 'BatchWriteItem') {
        return Object.entries(record(input.RequestItems)).map(([tableName, request]) => {
          const items = name === 'BatchGetItem' ? list(record(request).Keys) : list(request).map((r) => record(r).PutRequest ?? record(r).DeleteRequest);
          const keys = items.map((item) => partitionKey(record(item).Item ?? record(item).Key ?? item));
          return { action: `dynamodb:${name}`, resource: { type: 'table', name: tableName } as Resource, keys };
        });
      }
      if (name === 'TransactWriteItems' || name === 'TransactGetItems') {
        return list(input.TransactItems).flatMap((item) =>
          Object.entries(record(item)).map(([operation, detail]) => ({
            action: name === 'TransactGetItems' ? 'dynamodb:GetItem' : (TRANSACT_WRITE[operation] ?? `unmapped:dynamodb:${operation}`),
            resource: table(record(detail)),
            ...itemKeys(record(detail)),
          })),
        );
      }
      return unmapped(table(input));
    }
    case 'sqs': {
      const resource: Resource = { type: 'queue', url: text(input.QueueUrl) };
      // SendMessageBatch is authorized as sqs:SendMessage.
      if (name === 'SendMessage' || name === 'SendMessageBatch') return [{ action: 'sqs:SendMessage', resource }];
      return unmapped(resource);
    }
    case 'sesv2': {
      const from = text(input.FromEmailAddress);
      if (name !== 'SendEmail') return unmapped({ type: 'sender', from });
      const configurationSet = text(input.ConfigurationSetName);
      return [
        { action: 'ses:SendEmail', resource: { type: 'sender', from } },
        ...(configurationSet ? [{ action: 'ses:SendEmail', resource: { type: 'configuration-set', name: configurationSet } as Resource }] : []),
      ];
    }
    case 's3': {
      const resource: Resource = { type: 'object', bucket: text(input.Bucket), key: text(input.Key) };
      const action = S3_OBJECT[name];
      return action ? [{ action, resource }] : unmapped(resource);
    }
    case 'lambda': {
      const qualifier = text(input.Qualifier);
      const resource: Resource = { type: 'function', name: text(input.FunctionName), ...(qualifier ? { qualifier } : {}) };
      // InvokeAsync is deprecated but still authorized as lambda:InvokeFunction.
      if (name === 'Invoke' || name === 'InvokeAsync') return [{ action: 'lambda:InvokeFunction', resource }];
      return unmapped(resource);
    }
    case 'secretsManager': {
      // Also what the Parameters and Secrets extension calls, with the function's role, for a secret it serves.
      const resource: Resource = { type: 'secret', id: text(input.SecretId) };
      if (name === 'GetSecretValue') return [{ action: 'secretsmanager:GetSecretValue', resource }];
      return unmapped(resource);
    }
  }
};

// ---------------------------------------------------------------------------------------------------------------
// 2. Recorded calls, with each resource named by the configuration variable that gave the function its name

/** A resource by the function's configuration variable whose value named it (undefined: none did). */
export interface NamedResource {
  type: Resource['type'];
  variable: string | undefined;
  /** The local value (for a message when no variable names it). */
  value: string;
  index?: string;
  key?: string;
  qualifier?: string;
}

/** One IAM request of one recorded call: JSON, so that dev servers of other test files can hand them over. */
export interface AwsCallRecord {
  function: string;
  command: string;
  action: string;
  resource: NamedResource;
  keys?: string[];
}

const addressOf = (from: string) => (/<([^>]+)>/.exec(from)?.[1] ?? from).trim().toLowerCase();

const localValue = (resource: Resource): string => {
  switch (resource.type) {
    case 'table':
      return resource.name;
    case 'queue':
      return resource.url;
    case 'secret':
      return resource.id;
    case 'object':
      return resource.bucket;
    case 'function':
      return resource.name;
    case 'sender':
      return addressOf(resource.from);
    case 'configuration-set':
      return resource.name;
  }
};

/**
 * Names each request's resource by the variable of the function's configuration whose value it is (a sender by
 * the variable holding the same From address), as the stack names it by the same variable in the template.
 */
export const nameRequests = (fn: string, command: string, requests: IamRequest[], environment: Readonly<Record<string, string>>): AwsCallRecord[] =>
  requests.map(({ action, resource, keys }) => {
    const value = localValue(resource);
    const variable = Object.entries(environment).find(([, v]) => (resource.type === 'sender' ? addressOf(v) === value : v === value))?.[0];
    return {
      function: fn,
      command,
      action,
      resource: {
        type: resource.type,
        variable,
        value,
        ...(resource.type === 'table' && resource.index ? { index: resource.index } : {}),
        ...(resource.type === 'object' ? { key: resource.key } : {}),
        ...(resource.type === 'function' && resource.qualifier ? { qualifier: resource.qualifier } : {}),
      },
      ...(keys ? { keys } : {}),
    };
  });

/** The records of one recorded call. */
export const recordsOf = (call: AwsCall & { function: string }, environment: Readonly<Record<string, string>>) =>
  nameRequests(call.function, call.command, iamRequests(call), environment);

// ---------------------------------------------------------------------------------------------------------------
// 3. The synthesized template: resources by name, each role's grants

type Json = unknown;
interface CfnResource {
  Type: string;
  Properties?: Record<string, Json>;
}
export interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: Json; Export?: { Name?: Json } }>;
}

const obj = (value: Json): Record<string, Json> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, Json>) : {});

/** A logical id without CDK's hash suffix: `SubscribersTable0095C04E` → `SubscribersTable`. */
export const friendlyId = (logicalId: string) => /^(.+?)[0-9A-F]{8}$/.exec(logicalId)?.[1] ?? logicalId;

/**
 * A CloudFormation value as a readable, comparable string: `{SubscribersTable.Arn}/index/gsi1`,
 * `arn:{AWS::Partition}:ses:eu-west-1:123456789012:identity/{SenderIdentity}`. Cross-stack imports are followed
 * to the exporting stack's value, so the same resource reads the same from either stack.
 */
export const canonical = (value: Json, templates: CfnTemplate[]): string => {
  if (typeof value === 'string') return value;
  const o = obj(value);
  if ('Ref' in o) {
    const ref = String(o.Ref);
    return ref.startsWith('AWS::') ? `{${ref}}` : `{${friendlyId(ref)}}`;
  }
  if ('Fn::GetAtt' in o) {
    const [id, attribute] = list(o['Fn::GetAtt']).map(String);
    return `{${friendlyId(id ?? '')}.${attribute}}`;
  }
  if ('Fn::Join' in o) {
    const [separator, parts] = list(o['Fn::Join']);
    return list(parts)
      .map((part) => canonical(part, templates))
      .join(String(separator));
  }
  if ('Fn::ImportValue' in o) {
    const name = canonical(o['Fn::ImportValue'], templates);
    for (const template of templates) {
      for (const output of Object.values(template.Outputs ?? {})) {
        if (output.Export?.Name !== undefined && canonical(output.Export.Name, templates) === name) return canonical(output.Value, templates);
      }
    }
    throw new Error(`no stack exports ${name}`);
  }
  throw new Error(`cannot read ${JSON.stringify(value)} as a resource`);
};

/** One action on one resource pattern (and, for DynamoDB items, one partition key pattern), as a role allows it. */
export interface Grant {
  action: string;
  resource: string;
  /** Granted for the Lambda service on the function's behalf (event source, destinations, tracing), not for its code. */
  platform?: string;
  /** The statement's `dynamodb:LeadingKeys` patterns (ForAllValues:StringLike): every key of a request must match one. */
  leadingKeys?: string[];
  /** The one pattern of `leadingKeys` this grant stands for (each must be used). */
  leadingKey?: string;
}

export interface FunctionRole {
  /** The function's entry name (functions/<name>/index.ts), as the dev server records its calls. */
  name: string;
  grants: Grant[];
  /** The function's variables, canonical: `SUBSCRIBERS_TABLE_NAME` → `{SubscribersTable}`. */
  environment: Record<string, string>;
  managedPolicies: string[];
  /** Statements the checker cannot judge (Deny, conditions, NotAction/NotResource): reported, never trusted. */
  unreadable: string[];
  /** Grants the template's wiring needs of the role (an event source's reads, a destination's sends) that it lacks. */
  platformMissing: string[];
}

/** A grant the Lambda service needs; `required`: the wiring fails without it (the rest is what CDK adds). */
interface PlatformGrant extends Grant {
  platform: string;
  required: boolean;
}

/** Grants the Lambda service needs of the function's role for what the template attaches to the function. */
const platformGrants = (logicalId: string, template: CfnTemplate, templates: CfnTemplate[]): PlatformGrant[] => {
  const resources = template.Resources ?? {};
  const typeOf = (arn: string) => {
    const id = /^\{([^.}]+)\.Arn\}$/.exec(arn)?.[1];
    return Object.entries(resources).find(([key]) => friendlyId(key) === id)?.[1].Type;
  };
  const grants: PlatformGrant[] = [];
  const add = (why: string, resource: string, required: string[], extra: string[] = []) => {
    for (const action of required) grants.push({ action, resource, platform: why, required: true });
    for (const action of extra) grants.push({ action, resource, platform: why, required: false });
  };
  const destination = (arn: string, why: string) => {
    const type = typeOf(arn);
    // The first action is what Lambda calls; CDK's SqsDestination also grants the other two (grantSendMessages).
    if (type === 'AWS::SQS::Queue') add(why, arn, ['sqs:SendMessage'], ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl']);
    if (type === 'AWS::SNS::Topic') add(why, arn, ['sns:Publish']);
    if (type === 'AWS::Lambda::Function') add(why, arn, ['lambda:InvokeFunction']);
    if (type === 'AWS::Events::EventBus') add(why, arn, ['events:PutEvents']);
  };
  const isMine = (properties: Record<string, Json> | undefined) => canonical(properties?.FunctionName ?? '', templates) === `{${friendlyId(logicalId)}}`;
  for (const resource of Object.values(resources)) {
    if (resource.Type === 'AWS::Lambda::EventSourceMapping' && isMine(resource.Properties)) {
      const arn = canonical(resource.Properties?.EventSourceArn, templates);
      if (typeOf(arn) === 'AWS::SQS::Queue') {
        // Lambda's poller reads and deletes as the function (AWS names these three); CDK's SqsEventSource also
        // grants the other two (grantConsumeMessages).
        add('event source mapping', arn, ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], ['sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl']);
      }
      if (/^\{[^.}]+\.StreamArn\}$/.test(arn)) {
        // A table's change stream: Lambda's poller reads it as the function (AWS names these four; ListStreams has
        // no resource-level permissions), and sends a batch that failed its retries to the mapping's destination.
        add('event source mapping', arn, ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']);
        add('event source mapping', '*', ['dynamodb:ListStreams']);
        const onFailure = obj(obj(resource.Properties?.DestinationConfig).OnFailure).Destination;
        if (onFailure !== undefined) destination(canonical(onFailure, templates), 'event source mapping');
      }
    }
    if (resource.Type === 'AWS::Lambda::EventInvokeConfig' && isMine(resource.Properties)) {
      const config = obj(resource.Properties?.DestinationConfig);
      for (const [when, target] of Object.entries(config)) destination(canonical(obj(target).Destination, templates), `asynchronous invocation ${when}`);
    }
  }
  const fn = obj(resources[logicalId]?.Properties);
  const deadLetter = obj(fn.DeadLetterConfig).TargetArn;
  if (deadLetter !== undefined) destination(canonical(deadLetter, templates), 'dead-letter queue');
  if (obj(fn.TracingConfig).Mode === 'Active') add('X-Ray tracing', '*', ['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
  return grants;
};

/**
 * A statement's condition, if the checker can judge it: none (undefined), or only `ForAllValues:StringLike` on
 * `dynamodb:LeadingKeys` (the patterns). Anything else: false.
 */
const readableCondition = (condition: Json): string[] | undefined | false => {
  if (condition === undefined) return undefined;
  const operators = Object.entries(obj(condition));
  const [operator, keys] = operators[0] ?? [];
  const entries = Object.entries(obj(keys));
  if (operators.length !== 1 || operator !== 'ForAllValues:StringLike' || entries.length !== 1 || entries[0]?.[0] !== 'dynamodb:LeadingKeys') return false;
  return list(entries[0][1]).map(String);
};

/** The role of the Lambda function `logicalId` in `template`: every action on every resource it allows. */
export const functionRole = (name: string, logicalId: string, template: CfnTemplate, templates: CfnTemplate[]): FunctionRole => {
  const resources = template.Resources ?? {};
  const fn = resources[logicalId];
  if (fn?.Type !== 'AWS::Lambda::Function') throw new Error(`${logicalId} is not a Lambda function of the template`);
  const roleArn = canonical(fn.Properties?.Role, templates);
  const roleId = /^\{(.+)\.Arn\}$/.exec(roleArn)?.[1];
  const [roleKey, role] = Object.entries(resources).find(([key, r]) => r.Type === 'AWS::IAM::Role' && friendlyId(key) === roleId) ?? [];
  if (!roleKey || !role) throw new Error(`the role of ${logicalId} (${roleArn}) is not in the template`);

  const documents: Json[] = list(role.Properties?.Policies).map((policy) => obj(policy).PolicyDocument);
  for (const policy of Object.values(resources)) {
    if (policy.Type !== 'AWS::IAM::Policy') continue;
    if (list(policy.Properties?.Roles).some((r) => canonical(r, templates) === `{${friendlyId(roleKey)}}`)) documents.push(policy.Properties?.PolicyDocument);
  }
  const platform = platformGrants(logicalId, template, templates);
  const grants: Grant[] = [];
  const unreadable: string[] = [];
  for (const statement of documents.flatMap((document) => list(obj(document).Statement).map(obj))) {
    const leadingKeys = readableCondition(statement.Condition);
    if (statement.Effect !== 'Allow' || statement.NotAction || statement.NotResource || leadingKeys === false) {
      unreadable.push(JSON.stringify(statement));
      continue;
    }
    for (const action of list(statement.Action).map(String)) {
      for (const resource of list(statement.Resource).map((r) => canonical(r, templates))) {
        const by = platform.find((p) => p.action === action && p.resource === resource)?.platform;
        if (!leadingKeys) grants.push({ action, resource, ...(by ? { platform: by } : {}) });
        for (const leadingKey of leadingKeys ?? []) grants.push({ action, resource, leadingKeys, leadingKey });
      }
    }
  }
  const variables = obj(obj(fn.Properties?.Environment).Variables);
  const platformMissing = platform
    .filter((p) => p.required && !grants.some((g) => g.platform && g.action === p.action && g.resource === p.resource))
    .map((p) => `${name}: ${p.action} on ${p.resource} (${p.platform})`);
  return {
    name,
    grants,
    platformMissing,
    environment: Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, canonical(value, templates)])),
    managedPolicies: list(role.Properties?.ManagedPolicyArns).map((arn) => canonical(arn, templates)),
    unreadable,
  };
};

// ---------------------------------------------------------------------------------------------------------------
// 4. The check

export interface Account {
  region: string;
  account: string;
}

/**
 * The ARN a recorded request asks for, in the template's terms: the function's variable gives the resource
 * (`SUBSCRIBERS_TABLE_NAME` = `{SubscribersTable}`), the resource type gives the ARN built from it.
 */
export const arnOf = (role: FunctionRole, resource: NamedResource, account: Account, templates: CfnTemplate[]): string | undefined => {
  const named = resource.variable === undefined ? undefined : role.environment[resource.variable];
  if (named === undefined) return undefined;
  const ref = /^\{([^.{}]+)\}$/.exec(named)?.[1];
  const ses = `arn:{AWS::Partition}:ses:${account.region}:${account.account}`;
  switch (resource.type) {
    case 'table':
      return ref ? `{${ref}.Arn}${resource.index ? `/index/${resource.index}` : ''}` : undefined;
    case 'queue':
    case 'function':
      return ref ? `{${ref}.Arn}${resource.qualifier ? `:${resource.qualifier}` : ''}` : undefined;
    case 'object':
      return ref ? `{${ref}.Arn}/${resource.key ?? ''}` : undefined;
    case 'secret':
      return named; // a secret's Ref is its ARN
    case 'configuration-set':
      return ref ? `${ses}:configuration-set/{${ref}}` : undefined;
    case 'sender': {
      // The stage's From address (a literal in the template) → the SES identity resource for its domain or address.
      const address = addressOf(named);
      const domain = address.split('@')[1] ?? '';
      for (const template of templates) {
        for (const [key, r] of Object.entries(template.Resources ?? {})) {
          const identity = r.Type === 'AWS::SES::EmailIdentity' ? String(r.Properties?.EmailIdentity ?? '').toLowerCase() : undefined;
          if (identity === address || identity === domain) return `${ses}:identity/{${friendlyId(key)}}`;
        }
      }
      return undefined;
    }
  }
};

/** IAM's matching: `*` any run of characters, `?` one; actions ignore case. */
const matches = (pattern: string, value: string, ignoreCase = false) => {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
};

export interface CheckResult {
  /** Calls the role does not allow (or that name no resource of the function's configuration). */
  denied: string[];
  /** Grants no recorded call used (platform grants excepted). */
  unused: string[];
  /** Grants whose resource has a wildcard (each must be on the test's list, with its reason). */
  wildcards: string[];
  /** Grants whose action has a wildcard: never needed, a call is always one action. */
  broadActions: string[];
  /** DynamoDB item actions granted without a `dynamodb:LeadingKeys` condition: on every kind of item of the table. */
  unscopedItems: string[];
  /** Grants the template's own wiring needs (event source, destinations, tracing), by function. */
  platform: string[];
  /** Platform grants the template's wiring needs but the role lacks. */
  platformMissing: string[];
  /** Statements the checker cannot judge, and managed policies other than the basic execution role. */
  unreadable: string[];
}

/** A partition key by its kind, for messages: `SUB#reader@example.org` → `SUB#…` (a key without `#` as it is). */
export const keyKind = (key: string) => (key.includes('#') ? `${key.slice(0, key.indexOf('#') + 1)}…` : key);

/** DynamoDB actions that name their items by key, so a `dynamodb:LeadingKeys` condition can scope them. */
const ITEM_ACTIONS = new Set(
  ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem', 'BatchWriteItem'].map((a) => `dynamodb:${a}`),
);

const BASIC_EXECUTION = 'arn:{AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

/** Every recorded call against its function's role, and every grant of every role against the recorded calls. */
export const checkLeastPrivilege = (roles: FunctionRole[], records: AwsCallRecord[], account: Account, templates: CfnTemplate[]): CheckResult => {
  const result: CheckResult = { denied: [], unused: [], wildcards: [], broadActions: [], unscopedItems: [], platform: [], platformMissing: [], unreadable: [] };
  const used = new Set<Grant>();
  const seen = new Set<string>();
  for (const call of records) {
    const key = JSON.stringify([call.function, call.action, call.resource, call.command, call.keys]);
    if (seen.has(key)) continue;
    seen.add(key);
    const role = roles.find((r) => r.name === call.function);
    const arn = role && arnOf(role, call.resource, account, templates);
    const what = `${call.function}: ${call.action} on ${arn ?? `${call.resource.type} ${call.resource.value}`} (${call.command})`;
    if (!role) {
      result.denied.push(`${what}: no such function in the template`);
      continue;
    }
    if (!arn) {
      result.denied.push(`${what}: no variable of the function's configuration in the template names this ${call.resource.type}`);
      continue;
    }
    // IAM's ForAllValues: a statement with leading-key patterns allows a request whose every key matches one of
    // them (and no request that names no item: a Query or Scan). The patterns that matched are the ones used.
    const keys = call.keys ?? [];
    const allowing = role.grants.filter(
      (g) =>
        matches(g.action, call.action, true) &&
        matches(g.resource, arn) &&
        (!g.leadingKeys || (keys.length > 0 && keys.every((key) => g.leadingKeys?.some((pattern) => matches(pattern, key))))),
    );
    if (allowing.length === 0) result.denied.push(`${what}${keys.length ? ` for ${keys.map(keyKind).join(', ')}` : ''}: not allowed`);
    for (const grant of allowing) {
      if (!grant.leadingKey || keys.some((key) => matches(grant.leadingKey ?? '', key))) used.add(grant);
    }
  }
  for (const role of roles) {
    for (const grant of role.grants) {
      const what = `${role.name}: ${grant.action} on ${grant.resource}${grant.leadingKey ? ` for ${grant.leadingKey}` : ''}`;
      if (grant.platform) {
        result.platform.push(`${what} (${grant.platform})`);
        continue;
      }
      if (!used.has(grant)) result.unused.push(what);
      if (grant.resource.includes('*')) result.wildcards.push(what);
      if (/[*?]/.test(grant.action)) result.broadActions.push(what);
      if (ITEM_ACTIONS.has(grant.action) && !grant.leadingKeys) result.unscopedItems.push(what);
    }
    result.platformMissing.push(...role.platformMissing);
    result.unreadable.push(...role.unreadable.map((s) => `${role.name}: ${s}`));
    result.unreadable.push(...role.managedPolicies.filter((arn) => arn !== BASIC_EXECUTION).map((arn) => `${role.name}: managed policy ${arn}`));
    if (!role.managedPolicies.includes(BASIC_EXECUTION)) result.platformMissing.push(`${role.name}: ${BASIC_EXECUTION} (its own logs)`);
  }
  return result;
};
