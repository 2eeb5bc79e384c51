import { type CfnElement, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPackSuppressionAppliesTo, NagSuppressions, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * The cdk-nag rule packs that `cdk synth` and the infra tests run. Any finding fails both unless it is answered on
 * its own resource (never stack-wide) by `acceptFinding`, with a reason that names the rule it answers.
 */
export const nagPacks = (verbose = false) => [new AwsSolutionsChecks({ verbose }), new ServerlessChecks({ verbose })];

/**
 * A finding we reviewed, on one construct and the resources inside it that exist now (call it after the grants):
 * the reason says why it is a false positive or a deliberate choice. For a granular rule (IAM4, IAM5) `appliesTo`
 * names the exact findings, so that another wildcard on the same resource still fails.
 */
export const acceptFinding = (construct: IConstruct, rule: string, reason: string, appliesTo?: NagPackSuppressionAppliesTo[]) => {
  if (!reason.includes(rule)) throw new Error(`the reason for suppressing ${rule} must name the rule: ${reason}`);
  NagSuppressions.addResourceSuppressions(construct, [{ id: rule, reason, ...(appliesTo ? { appliesTo } : {}) }], true);
};

/** A wildcard an IAM5 finding names, and why it is the narrowest the grant can be. */
export interface ReviewedWildcard {
  appliesTo: NagPackSuppressionAppliesTo;
  reason: string;
}

/**
 * How an IAM5 finding spells an ARN of `resource`: `<LogicalId.Arn>` in its own stack, or the name of the export
 * that carries it into another stack (`Appeal-dev-Data:ExportsOutputFnGetAttSubscribersTable…Arn…`).
 */
const arnOf = (resource: IConstruct) => {
  const cfn = (resource.node.defaultChild ?? resource) as CfnElement;
  const id = String(Stack.of(cfn).resolve(cfn.logicalId));
  return `(?:<${id}\\.Arn>|[\\w-]+:ExportsOutputFnGetAtt${id}Arn[0-9A-F]{8})`;
};
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The wildcards our grants make, each computed from the resource it is scoped to (see `acceptWildcards`). */
export const wildcard = {
  /** `<table ARN>/index/*`: a CDK table grant reaches that table's own indexes (gsi1), no other table's. */
  indexesOf: (table: IConstruct): ReviewedWildcard => ({
    appliesTo: { regex: `/^Resource::${arnOf(table)}\\/index\\/\\*$/` },
    reason: `AwsSolutions-IAM5: index/* of the ${table.node.id} only: the grant reaches that table's own indexes (gsi1), which its queries use.`,
  }),
  /** `<bucket ARN>/<prefix>*`: the objects under one key prefix of one bucket; `why` they cannot be named. */
  objectsUnder: (bucket: IConstruct, prefix: string, why: string): ReviewedWildcard => ({
    appliesTo: { regex: `/^Resource::${arnOf(bucket)}\\/${escapeRegex(prefix)}\\*$/` },
    reason: `AwsSolutions-IAM5: objects under ${prefix} in the ${bucket.node.id} only: ${why}`,
  }),
};

/** The IAM5 findings of one function's policies, each wildcard reviewed and named: any other still fails. */
export const acceptWildcards = (fn: IConstruct, reviewed: ReviewedWildcard[]) => {
  for (const { appliesTo, reason } of reviewed) acceptFinding(fn, 'AwsSolutions-IAM5', reason, [appliesTo]);
};
