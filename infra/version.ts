import { readFileSync } from 'node:fs';

/**
 * The version of Appeal this checkout deploys (package.json's `version`): the API stack outputs it as
 * `AppealVersion`, so that a deployed stage can be compared with the checkout that manages it.
 */
export const APPEAL_VERSION: string = (() => {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof version !== 'string' || version === '') throw new Error('package.json has no version');
  return version;
})();
