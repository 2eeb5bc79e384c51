/**
 * Keeps the README, the changelog and the guides under docs/ working: their links lead somewhere inside the
 * repository (a file, and a heading for an #anchor), nothing points outside it, the commands they show exist (npm
 * scripts, admin CLI commands and options, repository paths), and the configuration reference is what its generator
 * writes. No Java, no browser, no network: one child process reads the admin CLI's command tree.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT, renderConfigurationReference } from '../../scripts/config-docs.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The documents this test keeps: README.md, CHANGELOG.md and every .md under docs/. */
const documents = (): string[] => {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  return ['README.md', 'CHANGELOG.md', ...walk('docs')];
};

// ---- reading a markdown document ------------------------------------------------------------------------------

interface Scanned {
  /** Link targets in prose (`[text](target)`, `![alt](target)`, `<scheme:…>`), with their line numbers. */
  links: { target: string; line: number }[];
  /** URLs written in prose, outside any code. */
  proseUrls: { url: string; line: number }[];
  /** Code: the text of each inline code span and each line of a fenced block, with its line number. */
  code: { text: string; line: number; fenced: boolean }[];
  /** Heading anchors, as GitHub makes them (duplicates numbered). */
  anchors: Set<string>;
}

/** GitHub's heading anchor: lowercase, punctuation dropped (letters, digits, spaces, `-`, `_` kept), spaces → `-`. */
const slug = (heading: string) =>
  heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/&[a-z]+;/g, '')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`)\]]+/gi;

const scan = (text: string): Scanned => {
  const scanned: Scanned = { links: [], proseUrls: [], code: [], anchors: new Set() };
  const seen = new Map<string, number>();
  let fence: string | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const marker = /^\s*(`{3,}|~{3,})/.exec(raw)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      else scanned.code.push({ text: raw, line, fenced: true });
      return;
    }
    if (marker) {
      fence = marker;
      return;
    }
    // Inline code spans are code; the prose is what is left, with each span masked to keep positions.
    const prose = raw.replace(/(`+)([^`]|[^`].*?[^`])\1(?!`)/g, (span, _ticks: string, inner: string) => {
      scanned.code.push({ text: inner.trim(), line, fenced: false });
      return 'x'.repeat(span.length);
    });
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw);
    if (heading?.[1]) {
      const base = slug(heading[1]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      scanned.anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) scanned.links.push({ target: m[1] ?? '', line });
    for (const m of prose.matchAll(/<([a-z][a-z0-9+.-]*:[^>\s]+)>/gi)) scanned.links.push({ target: m[1] ?? '', line });
    for (const m of prose.matchAll(URL_PATTERN)) scanned.proseUrls.push({ url: m[0], line });
  });
  return scanned;
};

// ---- the checks -----------------------------------------------------------------------------------------------

/** The admin CLI's commands, as commander holds them. */
interface CliCommand {
  name: string;
  options: string[];
  /** Options that take a value (the next word, unless written `--option=value`). */
  valued: string[];
  commands: CliCommand[];
}

interface Context {
  scripts: ReadonlySet<string>;
  cli: CliCommand;
  /** Reads a repository file's text, or undefined when there is none. */
  read: (path: string) => string | undefined;
  exists: (path: string) => boolean;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Repository paths worth checking when the docs name them in code. */
const REPO_PATH = /^(?:\.\/)?((?:functions|local|infra|cli|web|tests|scripts|bench|docs|types|\.ci)\/[\w./-]*)$/;
const HELP = ['--help', '-h'];
/** A word standing for something the reader fills in: `<email>`, `…`. */
const isPlaceholder = (word: string) => /^[<[{]|…|\.\.\./.test(word);

/** Shell words of a command line, quotes removed, up to a comment, a pipe, a redirection or the next command. */
const shellWords = (line: string): string[] => {
  const words: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const bare = m[3];
    if (bare !== undefined && /^(#|\||&&|;|>|<\/)/.test(bare)) break;
    words.push(m[1] ?? m[2] ?? bare ?? '');
  }
  return words;
};

/** What is wrong with an `npm run admin -- …` command line, by the CLI's own command tree. */
const adminCommandProblems = (args: string, cli: CliCommand): string[] => {
  const words = shellWords(args);
  const optionName = (word: string) => word.split('=')[0] ?? word;
  let i = 0;
  const takeOptions = (command: CliCommand, also: CliCommand[] = []) => {
    const problems: string[] = [];
    while (i < words.length && (words[i] ?? '').startsWith('-') && words[i] !== '-') {
      const word = words[i] ?? '';
      const name = optionName(word);
      const owner = [command, ...also].find((c) => c.options.includes(name));
      if (!owner && !HELP.includes(name)) problems.push(`unknown option ${name}`);
      i += owner?.valued.includes(name) && !word.includes('=') ? 2 : 1;
    }
    return problems;
  };
  const problems = takeOptions(cli);
  const first = words[i];
  if (first === undefined || isPlaceholder(first)) return problems;
  const command = cli.commands.find((c) => c.name === first);
  if (!command) return [...problems, `no command "${first}"`];
  i++;
  let leaf = command;
  let path = first;
  // Subcommands as deep as the tree goes (`campaign variant set`).
  while (leaf.commands.length > 0) {
    const next = words[i];
    if (next === undefined || isPlaceholder(next) || HELP.includes(next)) return problems;
    const sub = leaf.commands.find((c) => c.name === next);
    if (!sub) return [...problems, `no command "${path} ${next}"`];
    leaf = sub;
    path = `${path} ${next}`;
    i++;
  }
  // After the command: its arguments, its options, and the program's (commander takes those anywhere).
  for (; i < words.length; ) {
    const word = words[i] ?? '';
    if (word.startsWith('-') && word !== '-') problems.push(...takeOptions(leaf, [cli]));
    else i++;
  }
  return problems;
};

/** Every problem of one document, as `path:line: what`. */
const problemsOf = (path: string, text: string, context: Context): string[] => {
  const problems: string[] = [];
  const at = (line: number, what: string) => problems.push(`${path}:${line}: ${what}`);
  const scanned = scan(text);

  for (const { target, line } of scanned.links) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) {
      at(line, `${target} points outside the repository`);
      continue;
    }
    const [file = '', anchor] = target.split('#');
    const resolved = file === '' ? path : relative(ROOT, resolve(ROOT, dirname(path), decodeURI(file))).split(sep).join('/');
    if (resolved.startsWith('..')) {
      at(line, `${target} points outside the repository`);
      continue;
    }
    if (file !== '' && !context.exists(resolved)) {
      at(line, `${target}: no file ${resolved}`);
      continue;
    }
    if (anchor !== undefined) {
      const targetText = file === '' ? text : extname(resolved) === '.md' ? context.read(resolved) : undefined;
      if (targetText === undefined) at(line, `${target}: an anchor into a file that is not markdown`);
      else if (!scan(targetText).anchors.has(anchor)) at(line, `${target}: no heading #${anchor} in ${resolved}`);
    }
  }
  for (const { url, line } of scanned.proseUrls) at(line, `${url}: a URL outside code (and outside the repository)`);
  if (text.includes('../shared')) at(text.slice(0, text.indexOf('../shared')).split('\n').length, '../shared is outside the repository');

  for (const { text: code, line, fenced } of scanned.code) {
    for (const m of code.matchAll(URL_PATTERN)) {
      const host = /^https?:\/\/([^/:?#]+|\[[^\]]+\])/i.exec(m[0])?.[1]?.toLowerCase() ?? '';
      if (!LOCAL_HOSTS.has(host)) at(line, `${m[0]}: only localhost URLs may appear, and only as examples in code`);
    }
    for (const m of code.matchAll(/npm run ([\w:.-]+)/g)) {
      if (!context.scripts.has(m[1] ?? '')) at(line, `npm run ${m[1]}: no such script in package.json`);
    }
    for (const m of code.matchAll(/npm run admin --(?=\s|$)(.*)/g)) {
      for (const problem of adminCommandProblems(m[1] ?? '', context.cli)) at(line, `npm run admin --${m[1]}: ${problem}`);
    }
    // Paths: every word of an inline span; in a fenced block, what a command line runs or reads.
    const words = fenced ? (/^\s*(npx (vitest run|tsx)|node|bash|cat)\s/.test(code) ? shellWords(code).slice(1) : []) : shellWords(code);
    for (const word of words) {
      const path = REPO_PATH.exec(word.replace(/[.,:;)]+$/, ''))?.[1];
      if (path && !/[<>*{}…$]/.test(path) && !context.exists(path)) at(line, `${path}: no such file or folder`);
    }
  }
  return problems;
};

// ---- the admin CLI's command tree -------------------------------------------------------------------------------

/** Loads cli/admin.ts in a child process whose commander prints the command tree instead of running a command. */
const readCliTree = (): CliCommand => {
  const script = `
    import { Command } from 'commander';
    const names = (o) => [o.long, o.short].filter(Boolean);
    const tree = (c) => ({
      name: c.name(),
      options: c.options.flatMap(names),
      valued: c.options.filter((o) => o.required || o.optional).flatMap(names),
      commands: c.commands.map(tree),
    });
    const print = function () { process.stdout.write(JSON.stringify(tree(this))); return this; };
    Command.prototype.parse = print;
    Command.prototype.parseAsync = async function () { return print.call(this); };
    await import('./cli/admin.ts');
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (child.status !== 0) throw new Error(`could not read the admin CLI's commands: ${child.stderr}`);
  return JSON.parse(child.stdout) as CliCommand;
};

// ---- the tests --------------------------------------------------------------------------------------------------

const repositoryContext = (cli: CliCommand): Context => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  return {
    scripts: new Set(Object.keys(pkg.scripts)),
    cli,
    read: (path) => (existsSync(join(ROOT, path)) && statSync(join(ROOT, path)).isFile() ? readFileSync(join(ROOT, path), 'utf8') : undefined),
    exists: (path) => existsSync(join(ROOT, path)),
  };
};

describe('the documentation', () => {
  let context: Context;
  beforeAll(() => {
    context = repositoryContext(readCliTree());
  });

  it('has a README of at most 150 lines that shows the quick start and the test command CI runs', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme.trimEnd().split('\n').length).toBeLessThanOrEqual(150);
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toMatch(/^npm test\b/m);
  });

  it('has the guides the README sends readers to', () => {
    const files = documents();
    for (const guide of ['getting-started', 'embedding', 'deploying', 'operating', 'architecture', 'development']) {
      expect(files).toContain(`docs/${guide}.md`);
    }
    for (const reference of ['configuration', 'http-api', 'admin-cli', 'data-model']) expect(files).toContain(`docs/reference/${reference}.md`);
  });

  it('links only inside the repository, to files and headings that exist, and names only scripts, commands and paths that exist', () => {
    const problems = documents().flatMap((path) => problemsOf(path, readFileSync(join(ROOT, path), 'utf8'), context));
    expect(problems).toEqual([]);
  });

  it('has a configuration reference that is what npm run docs:config writes, with every variable described', async () => {
    const { markdown, undocumented } = await renderConfigurationReference();
    expect(undocumented, 'add a description to scripts/config-docs.ts').toEqual([]);
    expect(readFileSync(join(ROOT, OUTPUT), 'utf8') === markdown, `${OUTPUT} is stale: run npm run docs:config`).toBe(true);
  });

  describe('whose checks find what they look for', () => {
    const check = (text: string) => problemsOf('docs/example.md', text, context);

    it('a link to a file that is not there, or to a heading that is not', () => {
      expect(check('See [the guide](missing.md).')).toEqual(['docs/example.md:1: missing.md: no file docs/missing.md']);
      expect(check('See [deploying](deploying.md#no-such-heading).')).toEqual([
        'docs/example.md:1: deploying.md#no-such-heading: no heading #no-such-heading in docs/deploying.md',
      ]);
      expect(check('# Title\n\nSee [above](#title) and [below](#nowhere).')).toEqual(['docs/example.md:3: #nowhere: no heading #nowhere in docs/example.md']);
    });

    it('anything outside the repository', () => {
      expect(check('[Stripe](https://stripe.com/docs)')).toHaveLength(2); // the link, and the URL in prose
      expect(check('<https://example.org>')).toHaveLength(2);
      expect(check('See [the contract](../../shared/API.md).')).toHaveLength(2);
      expect(check('Go to https://example.org now.')).toHaveLength(1);
      expect(check('`https://checkout.stripe.com`')).toHaveLength(1);
      expect(check('```sh\ncurl http://localhost:3000/v1/campaigns/ukraine\n```')).toEqual([]);
    });

    it('a script, an admin command or option, or a path that does not exist', () => {
      expect(check('`npm run no-such-script`')).toEqual(['docs/example.md:1: npm run no-such-script: no such script in package.json']);
      expect(check('```sh\nnpm run admin -- campaign delete spring\n```')).toEqual([
        'docs/example.md:2: npm run admin -- campaign delete spring: no command "campaign delete"',
      ]);
      expect(check('`npm run admin -- --stage prod export donations --colour red`')).toHaveLength(1);
      expect(check('`npm run admin -- --stage prod export donations --campaign spring --out - # note`')).toEqual([]);
      expect(check('`npm run admin -- frobnicate`')).toHaveLength(1);
      expect(check('Read `functions/no-such-file.ts`.')).toEqual(['docs/example.md:1: functions/no-such-file.ts: no such file or folder']);
      expect(check('Read `functions/<function>/index.ts` and `tests/unit/docs.test.ts`.')).toEqual([]);
    });
  });
});
