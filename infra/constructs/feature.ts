import type { CfnElement } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';

/**
 * One feature's resources, grouped so that the stack reads as a short composition of features. A feature is left
 * out of its resources' logical ids (`logicalIdWithoutFeatures`): CloudFormation replaces a resource whose logical
 * id changes, so grouping resources, or moving one from a feature to another, must not change any.
 */
export class Feature extends Construct {}

/**
 * The logical id CDK would give `element` if no feature stood on its path: a stack that holds features allocates its
 * logical ids with this (`Stack.allocateLogicalId`). Two resources that end up with the same id fail the synth.
 *
 * The steps are CDK's own (aws-cdk-lib's `makeUniqueId`, which it does not export): the path's ids below the stack
 * without `Default`, the readable part (without `Resource` and repeats, alphanumerics only) and the first 8 hex
 * digits of the MD5 of the whole path. CDK cannot change them without renaming every resource of every app;
 * tests/infra/feature.test.ts checks them against CDK's.
 */
export const logicalIdWithoutFeatures = (element: CfnElement): string => {
  const scopes = element.node.scopes;
  const path = scopes
    .slice(scopes.indexOf(element.stack) + 1)
    .filter((scope) => !(scope instanceof Feature))
    .map((scope) => scope.node.id)
    .filter((id) => id !== 'Default');
  const alphanumeric = (id: string) => id.replace(/[^A-Za-z0-9]/g, '');
  const [only] = path;
  if (path.length === 1 && only !== undefined && alphanumeric(only).length <= 255) return alphanumeric(only);
  const hash = createHash('md5').update(path.join('/')).digest('hex').slice(0, 8).toUpperCase();
  const kept: string[] = [];
  for (const id of path) if (!kept.at(-1)?.endsWith(id)) kept.push(id);
  const readable = kept
    .filter((id) => id !== 'Resource')
    .map(alphanumeric)
    .join('')
    .slice(0, 240);
  return readable + hash;
};
