import { readFileSync } from 'node:fs';

/** The feature flags `cdk synth` runs with (cdk.json), so that the infra tests check what a deploy synthesizes. */
export const CDK_CONTEXT = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

/** A stage file as a newsroom writes it (`infra/stages/<stage>.json`), for the infra tests to synthesize. */
export const TEST_STAGE = {
  stage: 'test',
  account: '123456789012',
  region: 'eu-west-1',
  siteName: 'Example News',
  siteOrigins: ['https://news.example.org'],
  senderDomain: 'news.example.org',
  mailFrom: 'Example News <news@news.example.org>',
  lists: ['news', 'events'],
  defaultList: 'news',
  consentVersion: 'v1',
  charityName: 'Example Charity',
  postalAddress: '1 Example Street, Springfield',
  charityRegistration: '1234567',
  alarmEmail: 'ops@example.org',
};
