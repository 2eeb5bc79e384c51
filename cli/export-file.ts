import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Where an export goes: a file, or standard output. */
export type Destination = { kind: 'stdout' } | { kind: 'file'; path: string };

export class DestinationError extends Error {
  override name = 'DestinationError';
}

/** `subscribers-confirmed-2026-11-25.csv`: the kind, the filters that narrow it, the day. */
export const defaultName = (kind: string, filters: { status?: string; list?: string; campaign?: string }, now: Date) =>
  `${[kind, filters.campaign, filters.list, filters.status].filter(Boolean).join('-')}-${now.toISOString().slice(0, 10)}.csv`;

/** The name in `dir`, or with `-2`, `-3`… before `.csv` when it is taken: a default never overwrites a file. */
const unused = (dir: string, name: string) => {
  const stem = name.replace(/\.csv$/, '');
  for (let n = 1; ; n++) {
    const path = join(dir, n === 1 ? name : `${stem}-${n}.csv`);
    if (!existsSync(path)) return path;
  }
};

const isDirectory = (path: string) => existsSync(path) && statSync(path).isDirectory();

/**
 * Where to write an export, decided before it starts (a wrong path fails at once, not after the download):
 * `-` is standard output; a folder gets the default name in it; a file path is written (replacing the file: the
 * user named it); nothing given is the default name in `cwd`. Throws DestinationError when the folder is missing.
 */
export const exportDestination = (
  out: string | undefined,
  request: { kind: string; status?: string; list?: string; campaign?: string },
  now: Date,
  cwd = process.cwd(),
): Destination => {
  if (out === '-') return { kind: 'stdout' };
  const name = defaultName(request.kind, request, now);
  if (out === undefined || out === '') return { kind: 'file', path: unused(cwd, name) };
  const path = resolve(cwd, out);
  if (isDirectory(path)) return { kind: 'file', path: unused(path, name) };
  if (out.endsWith('/')) throw new DestinationError(`cannot write the export to ${path}: there is no such folder`);
  if (!isDirectory(dirname(path))) throw new DestinationError(`cannot write the export to ${path}: the folder ${dirname(path)} does not exist`);
  return { kind: 'file', path };
};
