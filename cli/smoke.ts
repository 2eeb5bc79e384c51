import { Command, InvalidArgumentError, Option } from 'commander';
import { formatResults, runSmoke, summarize } from './smoke-checks.js';
import { localEnvironment, stageEnvironment } from './smoke-env.js';
import { localTarget, stageTarget, type Target } from './target.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const secondsOption = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 50) throw new InvalidArgumentError('a number of seconds from 1 to 50.');
  return n * 1000;
};

const program = new Command('appeal-smoke')
  .description(
    'Smoke-test a deployed stage (--stage) or the running dev server (--local) in under a minute, without touching real readers: ' +
      'the campaign route, a signup to SES\'s mailbox simulator, the Stripe webhook, an export, the alarms. Removes what it made. ' +
      'Exits non-zero when a check fails.',
  )
  .option('--stage <name>', 'a deployed stage (uses your AWS credentials)')
  .option('--region <region>', 'AWS region of the stage', process.env.AWS_REGION)
  .option('--local', 'the running dev server (npm start) instead')
  .option('--data-dir <dir>', 'with --local: the dev server\'s data folder', process.env.APPEAL_DATA_DIR ?? '.appeal')
  .addOption(new Option('--token <token>', 'admin token (default: $APPEAL_ADMIN_TOKEN, or a temporary one)').env('APPEAL_ADMIN_TOKEN'))
  .addOption(new Option('--mail-wait <seconds>', 'how long the signup may take to be mailed').argParser(secondsOption).default(20_000, '20'))
  .addOption(new Option('--export-wait <seconds>', 'how long the export may run').argParser(secondsOption).default(20_000, '20'))
  .showHelpAfterError();

const main = async () => {
  program.parse();
  const o = program.opts<{ stage?: string; region?: string; local?: boolean; dataDir: string; token?: string; mailWait: number; exportWait: number }>();
  if (Boolean(o.stage) === Boolean(o.local)) program.error('give --stage NAME (a deployed stage) or --local (the running dev server)');
  const started = performance.now();
  let target: Target | undefined;
  try {
    target = o.stage ? await stageTarget(o.stage, o.region) : await localTarget(o.dataDir);
    const env = o.stage ? stageEnvironment(target) : localEnvironment(target);
    console.log(`smoke test of ${env.description}`);
    const results = await runSmoke(env, { token: o.token, mailWaitMs: o.mailWait, exportWaitMs: o.exportWait });
    for (const line of formatResults(results)) console.log(line);
    console.log(summarize(results, performance.now() - started));
    return results.some((r) => r.outcome === 'fail') ? 1 : 0;
  } catch (error) {
    // Nothing was checked: the target itself could not be reached.
    console.error(`smoke test could not start: ${error instanceof Error ? error.message : String(error)}`);
    if (o.stage) console.error('check your AWS credentials and region (--region or AWS_REGION), and that the stage\'s stacks are deployed');
    return 2;
  } finally {
    await target?.close();
  }
};

// A request left waiting (a timed-out poll) must not hold the verdict back.
process.exit(await main());
