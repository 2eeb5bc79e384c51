// Builds the embed (GET /v1/embed.js) from these sources with esbuild: one minified script, no module loader, no
// dependency, the four languages' widget messages and nothing else of the catalogues.
//
// The embed function's bundle embeds the result as text (functions/embed/index.ts imports web/dist/embed.txt:
// esbuild reads .txt files as strings). The stack rebuilds that file before it bundles the function, so a deploy
// always carries the current sources; it is kept in the repository so that the function bundles without a build
// step (`npm run bench:bundles`), and a unit test fails when it no longer matches these sources. Rebuild it with
//   npx tsx web/embed/build.ts
// The dev server builds the same script in memory at start.
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
// Only so that `tsc -p .` checks the widget's sources (tsconfig includes no web/ folder); erased at run time.
import type {} from './main.js';

/** The embed's version line. The served script's content hash (the integrity attribute) versions each build. */
export const EMBED_NAME = 'Appeal embed';

export const EMBED_SOURCE = fileURLToPath(new URL('./main.ts', import.meta.url));
export const EMBED_BUILT_FILE = fileURLToPath(new URL('../dist/embed.txt', import.meta.url));

/** The script, as the API serves it (UTF-8). Deterministic: the same sources and esbuild give the same bytes. */
export const buildEmbedScript = (): string => {
  const result = buildSync({
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

/** Writes web/dist/embed.txt when it differs from a fresh build; says whether it did. */
export const writeEmbedScript = (): { script: string; changed: boolean } => {
  const script = buildEmbedScript();
  if (existsSync(EMBED_BUILT_FILE) && readFileSync(EMBED_BUILT_FILE, 'utf8') === script) return { script, changed: false };
  mkdirSync(dirname(EMBED_BUILT_FILE), { recursive: true });
  // Written beside and renamed: a bundler reading it at the same moment never sees half a script.
  const partial = `${EMBED_BUILT_FILE}.${process.pid}.part`;
  writeFileSync(partial, script);
  renameSync(partial, EMBED_BUILT_FILE);
  return { script, changed: true };
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { script, changed } = writeEmbedScript();
  console.log(`${changed ? 'wrote' : 'unchanged:'} ${EMBED_BUILT_FILE} (${Buffer.byteLength(script)} bytes)`);
}
