import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { type Command, InvalidArgumentError } from 'commander';
import type { Target } from './target.js';

/** An ISO 8601 time with its zone (`2026-12-01T09:00:00Z`), as the reminders job takes it. */
const isoTime = (value: string) => {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('give a time as ISO 8601 with its zone, such as 2026-12-01T09:00:00Z');
  }
  return new Date(value).toISOString();
};

/** A tax year, as the calendar year it begins in. */
const taxYear = (value: string) => {
  if (!/^\d{4}$/.test(value) || Number(value) < 2000) throw new InvalidArgumentError('give a year such as 2026');
  return Number(value);
};

/**
 * Runs a scheduled job of the target now, with `payload`: on a stage, an Invoke of its function (named by the API
 * stack's output); on the dev server, its own job route. Answers what the job answered.
 */
const runJob = async (t: Target, job: { name: string; output: string }, payload: Record<string, unknown>): Promise<unknown> => {
  if (t.stage) {
    const functionName = t.stage.outputs[job.output];
    if (!functionName) throw new Error(`the stage's stacks have no ${job.output} output: deploy this version first (npm run deploy)`);
    const lambda = new LambdaClient(t.stage.region ? { region: t.stage.region } : {});
    try {
      const answer = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify(payload) }));
      const text = answer.Payload ? Buffer.from(answer.Payload).toString('utf8') : '{}';
      if (answer.FunctionError) throw new Error(`the ${job.name} job failed: ${text}`);
      return JSON.parse(text) as unknown;
    } finally {
      lambda.destroy();
    }
  }
  if (!t.apiUrl) throw new Error(`the dev server is not running: start it (npm start), then run ${job.name} again`);
  const response = await fetch(`${t.apiUrl}/_local/jobs/${job.name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const body = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`the ${job.name} job failed: ${JSON.stringify(body)}`);
  return body;
};

/** The donor's year: `reminders run`, `statements send`. */
export const addDonorCommands = (program: Command, target: () => Promise<Target>) => {
  const reminders = program.command('reminders').description('"remind me later" reminders');
  reminders
    .command('run')
    .description('send the reminders due at a time (default now), as the schedule does; running it again sends nothing twice')
    .option('--at <time>', 'the time to run for, ISO 8601 with its zone (e.g. 2026-12-01T09:00:00Z)', isoTime)
    .action(async (o: { at?: string }) => {
      const t = await target();
      try {
        const run = await runJob(t, { name: 'reminders', output: 'RemindersFunctionName' }, o.at ? { at: o.at } : {});
        console.log(`ran the reminders job on ${t.description}:`);
        console.log(JSON.stringify(run));
      } finally {
        await t.close();
      }
    });

  const statements = program.command('statements').description("donors' yearly giving statements");
  statements
    .command('send')
    .description('email every donor with gifts in a tax year one statement; running it again sends nothing twice')
    .requiredOption('--year <year>', 'the tax year, named by the calendar year it begins in (e.g. 2026)', taxYear)
    .action(async (o: { year: number }) => {
      const t = await target();
      try {
        const run = await runJob(t, { name: 'statements', output: 'RemindersFunctionName' }, { statements: { year: o.year } });
        console.log(`sent the giving statements of ${o.year} on ${t.description}:`);
        console.log(JSON.stringify(run));
      } finally {
        await t.close();
      }
    });
};
