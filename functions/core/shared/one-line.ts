import { hasControlCharacters } from './email-address.js';

/**
 * Fits text that must be one line (a Subject, a receipt's campaign line) without refusing it: each run of
 * control characters and line breaks (C0, DEL, C1, U+2028, U+2029) becomes one space, and the ends are trimmed.
 * Other spacing is kept as it was.
 */
export const toOneLine = (raw: string): string => {
  let out = '';
  let inRun = false;
  for (const char of raw) {
    const breaking = hasControlCharacters(char);
    if (!breaking) out += char;
    else if (!inRun) out += ' ';
    inRun = breaking;
  }
  return out.trim();
};
