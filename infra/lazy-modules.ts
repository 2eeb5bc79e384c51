/**
 * Packages a function loads on first use rather than at cold start, shipped pre-bundled BESIDE its bundle instead
 * of inside it: a package in the bundle is parsed and compiled at every cold start even when only a dynamic
 * `import()` reaches it, and the cold start is what the import-time budget (`npm run bench:bundles`) measures.
 * The bundle keeps the package's name as an external import; the copy beside it sits in `node_modules/<package>/`
 * next to `index.mjs`, where Node's own resolution finds it the first time the code asks. The stack
 * (infra/constructs/app-function.ts) and the bench (bench/bundles.ts) both build it with `lazyModuleBuild`.
 */
export const LAZY_MODULES: Readonly<Record<string, readonly string[]>> = {
  // Passkeys: the WebAuthn library and its ASN.1/X.509 dependencies (about 400 KiB) serve only the passkey pages
  // and posts, never the sign-in link or the other pages (functions/core/console/passkeys.ts).
  console: ['@simplewebauthn/server'],
};

/** What esbuild needs to build one lazy package as an ES module of its own, with the bundles' own settings. */
export const lazyModuleBuild = (pkg: string) => ({
  entrySource: `export * from '${pkg}';`,
  file: `node_modules/${pkg}/index.mjs`,
  manifest: { path: `node_modules/${pkg}/package.json`, text: JSON.stringify({ name: pkg, type: 'module', main: 'index.mjs' }) },
});
