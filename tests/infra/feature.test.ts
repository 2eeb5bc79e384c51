import { App, type CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { Feature, logicalIdWithoutFeatures } from '../../infra/constructs/feature.js';

/** A stack that allocates logical ids as the API stack does. */
class FeatureStack extends Stack {
  protected override allocateLogicalId(element: CfnElement): string {
    return logicalIdWithoutFeatures(element);
  }
}

/** Makes the resource at `path` below `stack`: an id starting with `@` is a feature (the `@` dropped), any other a plain construct. */
const resourceAt = (stack: Stack, path: string[]) => {
  let scope: Construct = stack;
  for (const id of path.slice(0, -1)) {
    const name = id.replace(/^@/, '');
    const existing = scope.node.tryFindChild(name) as Construct | undefined;
    scope = existing ?? (id.startsWith('@') ? new Feature(scope, name) : new Construct(scope, name));
  }
  return new CfnResource(scope, path.at(-1) ?? '', { type: 'Test::Thing' });
};

/** Paths with the ids CDK's allocation treats apart (Default, Resource, repeats, punctuation, length), without and with features. */
const CASES: [plain: string[], featured: string[]][] = [
  [['SigningSecret', 'Resource'], ['@SigningKey', 'SigningSecret', 'Resource']],
  [['AlarmTopic'], ['@Monitoring', 'AlarmTopic']],
  [['Fn', 'Function', 'ServiceRole', 'DefaultPolicy', 'Resource'], ['@MailingList', 'Fn', 'Function', 'ServiceRole', 'DefaultPolicy', 'Resource']],
  [['HttpApi', 'POST--v1--subscriptions', 'subscriptionsIntegration-Permission'], ['@PublicApi', 'HttpApi', 'POST--v1--subscriptions', 'subscriptionsIntegration-Permission']],
  [['Metadata', 'Default'], ['@Operations', 'Metadata', 'Default']],
  [['Queue', 'Queue', 'Resource'], ['@Queues', 'Queue', 'Queue', 'Resource']],
  [['MailQueue', 'Queue', 'MailQueue', 'Resource'], ['@Mail', 'MailQueue', 'Queue', 'MailQueue', 'Resource']],
  [['Outer', 'Inner', 'Resource'], ['@First', 'Outer', '@Second', 'Inner', 'Resource']],
  [['X'.repeat(300)], ['@Big', 'X'.repeat(300)]],
  [['Y'.repeat(150), 'Z'.repeat(150), 'Resource'], ['@Long', 'Y'.repeat(150), 'Z'.repeat(150), 'Resource']],
];

describe('logical ids in a stack of features', () => {
  it("computes CDK's own logical id for a resource on no feature", () => {
    const stack = new Stack(new App(), 'Plain');
    for (const [plain] of CASES) {
      const resource = resourceAt(stack, plain);
      expect(logicalIdWithoutFeatures(resource)).toBe(stack.getLogicalId(resource));
    }
  });

  it('gives a resource inside features the logical id it has without them, so regrouping replaces nothing', () => {
    const app = new App();
    const plainStack = new Stack(app, 'Plain');
    const featureStack = new FeatureStack(app, 'Features');
    for (const [plain, featured] of CASES) {
      expect(featureStack.getLogicalId(resourceAt(featureStack, featured))).toBe(plainStack.getLogicalId(resourceAt(plainStack, plain)));
    }
  });

  it('fails the synth when two features hold resources of the same id', () => {
    const app = new App();
    const stack = new FeatureStack(app, 'Features');
    resourceAt(stack, ['@MailingList', 'Queue', 'Resource']);
    resourceAt(stack, ['@Donations', 'Queue', 'Resource']);
    expect(() => app.synth()).toThrow(/already contains 'Queue/);
  });
});
