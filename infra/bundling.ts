import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, buildSync } from 'esbuild';

/** Every bundle's banner: a `require` for the CommonJS parts of its packages (ESM has none of its own). */
export const BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The language catalogues, in the source tree and beside each bundle (the path catalogue.ts reads them from). */
export const CATALOGUE_SOURCE = 'functions/core/shared/i18n/messages';
export const CATALOGUE_DIR = 'messages';

/** The settings every bundle shares: ES modules, minified for Node 22, with a linked source map beside them. */
export const BASE_OPTIONS = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  // Linked, not loaded: no --enable-source-maps, which adds 22-25 ms to every cold start. The maps ship beside the
  // bundle, for decoding a stack trace by hand when one is needed.
  sourcemap: true,
  // Text as UTF-8, not \uXXXX escapes: a page's typography and a catalogue's Ukrainian take a third of the bytes.
  charset: 'utf8',
  banner: { js: BANNER },
  logLevel: 'warning',
} as const satisfies BuildOptions;

/**
 * How every function is bundled, by the stack (infra/constructs/app-function.ts) and by the cold-start bench
 * (bench/bundles.ts) alike: one ES module per function, `index.mjs`, made by the local esbuild (never Docker).
 *
 * Code split: what the code loads with a dynamic `import()` (a route's pages and schemas, a rarely used library,
 * the SDK's own credential providers) goes to a chunk of its own beside `index.mjs`, which Node reads the first time a
 * request needs it, not at every cold start. Code that both sides use goes to a shared chunk, so there is one copy
 * of each module and of its state.
 */
export const bundleOptions = (entry: string, outdir: string, options: { define?: Record<string, string> } = {}): BuildOptions => ({
  ...BASE_OPTIONS,
  entryPoints: { index: entry },
  outdir,
  splitting: true,
  outExtension: { '.js': '.mjs' },
  // Beside index.mjs, so that every chunk finds the catalogues in messages/ next to it, as the entry does.
  chunkNames: '[name]-[hash]',
  define: options.define,
});

/**
 * Bundles one function (`functions/<name>/index.ts` under `root`) into `outputDir`, with the pages' and emails'
 * text beside it: one JSON catalogue per language, which the code reads the first time a reader needs that
 * language (functions/core/shared/i18n/catalogue.ts). Returns the build's metafile (what each output holds).
 */
export const bundleFunction = (root: string, name: string, outputDir: string, define?: Record<string, string>) => {
  const result = buildSync({ ...bundleOptions(join(root, 'functions', name, 'index.ts'), outputDir, { define }), absWorkingDir: root, metafile: true });
  cpSync(join(root, CATALOGUE_SOURCE), join(outputDir, CATALOGUE_DIR), { recursive: true });
  return result.metafile;
};
