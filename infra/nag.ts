import type { Stack } from 'aws-cdk-lib';
import { NagSuppressions } from 'cdk-nag';

/** cdk-nag findings we reviewed and accept, each with its reason. Anything else fails the infra tests. */
export const suppressReviewedFindings = (stack: Stack) => {
  NagSuppressions.addStackSuppressions(stack, [
    {
      id: 'AwsSolutions-IAM4',
      reason: 'AWSLambdaBasicExecutionRole only allows writing the function\'s own logs; CDK attaches it to every function.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    },
    {
      id: 'AwsSolutions-IAM5',
      reason: 'Wildcards come from CDK grants scoped to one table and its indexes (index/*) and from the DynamoDB/SQS grant helpers; no wildcard spans other resources.',
    },
    {
      id: 'AwsSolutions-SMG4',
      reason: 'The signing key is rotated by hand: automatic rotation would break every unsubscribe link already sent (README).',
    },
    {
      id: 'AwsSolutions-APIG4',
      reason: 'The public routes are anonymous by design (signup, links in emails, webhooks); admin routes check bearer tokens in the function.',
    },
    {
      id: 'AwsSolutions-L1',
      reason: 'Functions pin Node 22, the runtime the code is built and tested for; raising it is a deliberate change.',
    },
  ]);
};
