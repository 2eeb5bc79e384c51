/**
 * Every word, in each language: one JSON catalogue per language in `messages/` (`en.json` is the one every other
 * follows), read when a page or an email first needs that language, and kept. The functions read the files beside
 * their code rather than bundle them, so that a cold start parses no language's text and a function parses only the
 * languages its readers use: the stack copies `messages/` beside every bundle (infra/constructs/app-function.ts),
 * where this module's URL then points, as it points at the source folder when the code runs unbundled (the dev
 * server, the CLI, the tests). The embed function has the `widget` sections inlined when it is bundled
 * (web/embed/build.ts), and serves the script the one it asks for.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_LANGUAGE, type Language, type Messages, isLanguage } from './index.js';

export type { Messages } from './index.js';

const loaded = new Map<Language, Messages>();

/** Where a language's catalogue is, next to this module (or the bundle it is in). */
export const catalogueUrl = (language: Language) => new URL(`./messages/${language}.json`, import.meta.url);

/** A language's messages (English for anything that is not one of ours). */
export const messagesOf = (language: string | undefined): Messages => {
  const lang = isLanguage(language) ? language : DEFAULT_LANGUAGE;
  let messages = loaded.get(lang);
  if (!messages) {
    messages = JSON.parse(readFileSync(catalogueUrl(lang), 'utf8')) as Messages;
    loaded.set(lang, messages);
  }
  return messages;
};
