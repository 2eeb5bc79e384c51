import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { stageTarget } from '../../../cli/target.js';

// A deployed stack cannot be reached from here; this checks how the CLI reads a stage's stack outputs.
const cloudFormation = mockClient(CloudFormationClient);
afterEach(() => cloudFormation.reset());

describe('the admin CLI on a deployed stage', () => {
  it('finds the tables and the API URL in the stacks\' outputs', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Appeal-prod-Data' }).resolves({
      Stacks: [{ StackName: 'Appeal-prod-Data', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [
        { OutputKey: 'SubscribersTableName', OutputValue: 'Appeal-prod-Data-SubscribersTable-1' },
        { OutputKey: 'DonationsTableName', OutputValue: 'Appeal-prod-Data-DonationsTable-2' },
      ] }],
    });
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Appeal-prod-Api' }).resolves({
      Stacks: [{ StackName: 'Appeal-prod-Api', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'PublicApiUrl', OutputValue: 'https://api.example.org' }] }],
    });
    const target = await stageTarget('prod', 'eu-west-1');
    expect(target.tables).toEqual({ subscribers: 'Appeal-prod-Data-SubscribersTable-1', donations: 'Appeal-prod-Data-DonationsTable-2' });
    expect(target.apiUrl).toBe('https://api.example.org');
    expect(target.description).toBe('stage prod');
    await target.close();
  });

  it('says which stack lacks its outputs', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'x', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    await expect(stageTarget('qa', 'eu-west-1')).rejects.toThrow('stack Appeal-qa-Data has no table outputs');
  });
});
