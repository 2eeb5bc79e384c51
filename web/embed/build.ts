// Builds the embed (GET /v1/embed.js) from these sources with esbuild: one minified script, no module loader, no
// dependency, and no words: the script fetches its language's, the catalogues' `widget` section
// (GET /v1/embed.js?messages={lang}), by the version it is built with.
//
// The embed function gets the script and the words inlined when it is bundled (embedDefine), and the dev server
// builds them in memory at start: the script is never a file in the repository.
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { messagesIdentity } from '../../functions/core/embed/script.js';
import { messagesOf } from '../../functions/core/shared/i18n/catalogue.js';
import { LANGUAGES, type WidgetMessages } from '../../functions/core/shared/i18n/index.js';
/** The embed's version line. The served script's content hash (the integrity attribute) versions each build. */
export const EMBED_NAME = 'Appeal embed';

export const EMBED_SOURCE = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Each language's `widget` section of the catalogues: the words GET /v1/embed.js?messages={lang} serves. */
export const widgetMessages = (): Record<string, WidgetMessages> => Object.fromEntries(LANGUAGES.map((language) => [language, messagesOf(language).widget]));

/** The script, as the API serves it (UTF-8). Deterministic: the same sources and esbuild give the same bytes. */
export const buildEmbedScript = (): string => {
  const result = buildSync({
    // The words' version, which the script asks for: a deploy that changes them changes the script too.
    define: { EMBED_MESSAGES_VERSION: JSON.stringify(messagesIdentity(widgetMessages()).version) },
    entryPoints: [EMBED_SOURCE],
    bundle: true,
    minify: true,
    format: 'iife',
    // Browsers of the last few years; the syntax is lowered, APIs are checked at run time (old browsers keep the
    // placeholder's plain HTML).
    target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
    charset: 'utf8',
    legalComments: 'none',
    banner: { js: `/*! ${EMBED_NAME} (API v1): no cookies, no third-party requests */` },
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild produced no embed script');
  return output.text;
};

/**
 * The bundler's `define` that inlines the script and the words into the embed function (functions/embed/index.ts
 * reads the constants EMBED_SCRIPT and EMBED_MESSAGES): built from the sources at bundling time, written nowhere.
 */
export const embedDefine = (): Record<string, string> => ({
  EMBED_SCRIPT: JSON.stringify(buildEmbedScript()),
  EMBED_MESSAGES: JSON.stringify(widgetMessages()),
});

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const script = buildEmbedScript();
  console.log(`${EMBED_NAME}: ${Buffer.byteLength(script)} bytes`);
}
