import { MIMEType } from 'node:util';
import type { Busboy } from 'busboy';
import { ValidationError } from '../../core/shared/errors.js';

const malformed = (message: string) => new ValidationError('invalid_body', message);

/** busboy's errors for a body it cannot read, in the contract's words. */
const BUSBOY_ERRORS: Readonly<Record<string, string>> = {
  'Unexpected end of form': 'The multipart body is not closed.',
  'Malformed part header': 'A part of the multipart body has malformed headers.',
};

/** The boundary a multipart Content-Type names (RFC 2046 §5.1.1: 1 to 70 characters), if it names a valid one. */
const boundaryOf = (contentType: string) => {
  try {
    const boundary = new MIMEType(contentType).params.get('boundary');
    return boundary && boundary.length <= 70 ? boundary : undefined;
  } catch {
    return undefined;
  }
};

/** How many parts come before the close delimiter of a body that has one. */
const partsBeforeClose = (body: Buffer, boundary: string) =>
  `\r\n${body.toString('latin1')}`
    .split(`\r\n--${boundary}`)
    .slice(1)
    .findIndex((section) => section.startsWith('--'));

/**
 * The text fields of a `multipart/form-data` body (RFC 7578), read by busboy: what a form or a mail client sends
 * (RFC 8058's `List-Unsubscribe=One-Click`). Refused, as 400s: a body without a valid boundary or its close
 * delimiter, a part without a form-data name (busboy passes over such a part; RFC 7578 §4.2 requires the name, so
 * the parts busboy reports are counted against the body's), and files. Values are UTF-8 unless a part says
 * otherwise. The body is small (the route's checkBody comes first), so no value is cut short.
 *
 * busboy is loaded with the first multipart body, not at cold start: few requests send one (RFC 8058 one-click
 * unsubscribes, a form that asks for multipart), and every function that reads a body would load it otherwise.
 */
export const parseMultipart = async (body: Buffer, contentType: string): Promise<URLSearchParams> => {
  const noBoundary = malformed('The multipart body has no valid boundary.');
  const boundary = boundaryOf(contentType);
  if (boundary === undefined) throw noBoundary;
  const { default: busboy } = await import('busboy');
  let parser: Busboy;
  try {
    parser = busboy({ headers: { 'content-type': contentType }, limits: { fieldSize: body.length } });
  } catch {
    throw noBoundary;
  }
  return new Promise((resolve, reject) => {
    const fields = new URLSearchParams();
    let parts = 0;
    let refused: ValidationError | undefined;
    parser.on('field', (name: string | undefined, value) => {
      parts++;
      if (name === undefined) refused ??= malformed('A part of the multipart body has no form-data name.');
      else fields.append(name, value);
    });
    parser.on('file', (name: string | undefined, stream) => {
      parts++;
      stream.resume();
      refused ??= new ValidationError('invalid_field', 'Files are not accepted.', { field: name });
    });
    parser.on('error', (error: Error) => reject(malformed(BUSBOY_ERRORS[error.message] ?? 'The multipart body is malformed.')));
    parser.on('close', () => {
      if (!refused && partsBeforeClose(body, boundary) > parts) refused = malformed('A part of the multipart body has no form-data name.');
      if (refused) reject(refused);
      else resolve(fields);
    });
    parser.end(body);
  });
};
