import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

/**
 * An append-only file of JSON lines: the dev server's stand-ins keep what AWS would keep (queued messages, sent
 * mail) in one, so that a crash (`kill -9`) loses nothing they accepted. An entry is appended with one synchronous
 * write before the stand-in answers, so it is in the operating system's hands whatever happens to the process
 * afterwards. (Not fsynced each time: a power cut may lose the last entries; a process crash loses none.)
 */

/**
 * The entries of a journal, oldest first (none if it does not exist). A line that is not whole JSON (the last one,
 * torn by a crash in the middle of a write) is skipped and counted, not fatal. `intact` is false when the file
 * needs rewriting before anything is appended to it (a skipped line, or a last line without its newline).
 */
export const readJournal = <T>(path: string): { entries: T[]; skipped: number; intact: boolean } => {
  if (!existsSync(path)) return { entries: [], skipped: 0, intact: true };
  const text = readFileSync(path, 'utf8');
  const entries: T[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as T);
    } catch {
      skipped += 1;
    }
  }
  return { entries, skipped, intact: skipped === 0 && (text === '' || text.endsWith('\n')) };
};

/** Appends one entry (one line, in one call); it is in the operating system's hands when this returns. Answers its size in bytes. */
export const appendJournal = (path: string, entry: unknown) => {
  const line = `${JSON.stringify(entry)}\n`;
  appendFileSync(path, line);
  return Buffer.byteLength(line);
};

/** Replaces a file's content atomically: a crash leaves either the old file or the new one, never a part. */
export const writeFileAtomic = (path: string, text: string) => {
  const temp = `${path}.tmp`; // one writer per data folder; a crash's leftover is overwritten next time
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
};

/** Replaces a journal with these entries, atomically. */
export const rewriteJournal = (path: string, entries: readonly unknown[]) =>
  writeFileAtomic(path, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
