import { App, Aspects, Tags } from 'aws-cdk-lib';
import { fileURLToPath } from 'node:url';
import { alarmTargetProblem, loadStageConfig, type StageConfig } from './config.js';
import { ApiStack } from './stacks/api-stack.js';
import { DataStack } from './stacks/data-stack.js';
import { nagPacks } from './nag.js';

/** Both stacks of one stage; the data stack's resources are handed to the API stack as props. */
export const buildStage = (app: App, config: StageConfig) => {
  const problem = alarmTargetProblem(config);
  if (problem) throw new Error(problem);
  const env = { account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: config.region };
  const prefix = `Appeal-${config.stage}`;
  const data = new DataStack(app, `${prefix}-Data`, { env, config, terminationProtection: true });
  const api = new ApiStack(app, `${prefix}-Api`, {
    env,
    config,
    subscribersTable: data.subscribersTable,
    donationsTable: data.donationsTable,
    auditTable: data.auditTable,
    exportBucket: data.exportBucket,
    sesEventsTopic: data.sesEventsTopic,
    configurationSet: data.configurationSet,
    emailIdentity: data.emailIdentity,
  });
  for (const stack of [data, api]) {
    Tags.of(stack).add('app', 'appeal');
    Tags.of(stack).add('stage', config.stage);
  }
  return { data, api };
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const app = new App();
  const stage = String(app.node.tryGetContext('stage') ?? 'dev');
  const path = String(app.node.tryGetContext('config') ?? fileURLToPath(new URL(`./stages/${stage}.json`, import.meta.url)));
  buildStage(app, loadStageConfig(path));
  for (const pack of nagPacks(true)) Aspects.of(app).add(pack);
  app.synth();
}
