import { createInterface } from 'node:readline/promises';

// How the admin CLI talks to a person: questions and live progress only on a terminal; in a log (a pipe, a file,
// CI) plain lines, one per event, and never a question that nobody is there to answer.

/** A stream that may be a terminal (process.stdin, process.stderr, or a test's stand-in). */
export interface Stream {
  isTTY?: boolean | undefined;
}
export interface Output extends Stream {
  write(text: string): unknown;
}

export class ConfirmationRequiredError extends Error {
  override name = 'ConfirmationRequiredError';
}

/**
 * Asks a yes/no question on a terminal; true only for an explicit yes. Throws ConfirmationRequiredError, without
 * asking, when standard input is not a terminal (a script, a pipe): `refusal` says what to pass instead.
 */
export const confirm = async (question: string, refusal: string, io: { input: NodeJS.ReadableStream & Stream; output: NodeJS.WritableStream & Output }) => {
  if (!io.input.isTTY) throw new ConfirmationRequiredError(refusal);
  const prompt = createInterface({ input: io.input, output: io.output, terminal: Boolean(io.output.isTTY) });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    prompt.close();
  }
};

/**
 * Progress of a long task on `out`. On a terminal one line rewritten in place (`update`); elsewhere `update` writes
 * nothing, so a log holds only the plain lines given to `line`.
 */
export const progress = (out: Output) => {
  let shown = false;
  return {
    update(text: string) {
      if (!out.isTTY) return;
      out.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    /** A line of its own (after clearing a progress line, on a terminal). */
    line(text: string) {
      if (shown) out.write('\r\x1b[2K');
      shown = false;
      out.write(`${text}\n`);
    },
    /** Clears the progress line, if any. */
    clear() {
      if (shown) out.write('\r\x1b[2K');
      shown = false;
    },
  };
};

/** `1 row`, `2 rows`, `1,000 rows`. */
export const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
