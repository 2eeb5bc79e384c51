import { ValidationError } from '../../core/shared/errors.js';

const malformed = (message: string) => new ValidationError('invalid_body', message);

/** A parameter of a header value (`boundary`, `name`), quoted (RFC 9110 quoted-string) or a bare token. */
const headerParam = (value: string, param: string): string | undefined => {
  const match = new RegExp(`;\\s*${param}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^\\s;"]+))`, 'i').exec(value);
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
};

/**
 * The text fields of a `multipart/form-data` body (RFC 7578, RFC 2046 §5.1.1). A small parser of our own: no
 * multipart library is among our dependencies (busboy is only in node_modules through a dev tool), and Node's
 * own (`Response.formData()`) is asynchronous while `req.body` is not. It reads what a form or a mail client
 * sends (RFC 8058's `List-Unsubscribe=One-Click`): CRLF line breaks, a boundary from the content type, parts
 * with a `Content-Disposition: form-data; name=…` header. Files are refused; a body without its closing
 * delimiter is malformed. The body is text already (UTF-8, RFC 7578's default), so values are taken as they are.
 */
export const parseMultipart = (body: string, contentType: string): URLSearchParams => {
  const boundary = headerParam(contentType, 'boundary');
  if (boundary === undefined || boundary.length === 0 || boundary.length > 70) {
    throw malformed('The multipart body has no valid boundary.');
  }
  const fields = new URLSearchParams();
  // Every delimiter starts a line; the text before the first one is the preamble, after the last the epilogue.
  const sections = `\r\n${body}`.split(`\r\n--${boundary}`);
  if (sections.length < 2) throw malformed('The multipart body has no parts.');
  for (const section of sections.slice(1)) {
    if (section.startsWith('--')) return fields; // the close delimiter
    const lineEnd = section.indexOf('\r\n');
    if (lineEnd < 0 || !/^[ \t]*$/.test(section.slice(0, lineEnd))) throw malformed('The multipart body is malformed.');
    const part = section.slice(lineEnd + 2);
    const headerEnd = part.startsWith('\r\n') ? 0 : part.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw malformed('A part of the multipart body has no end to its headers.');
    const headers = part.slice(0, headerEnd).split('\r\n').filter((line) => line !== '');
    const value = part.slice(headerEnd + (headerEnd === 0 ? 2 : 4));
    const disposition = headers
      .map((line) => /^content-disposition\s*:\s*(.*)$/i.exec(line)?.[1])
      .find((v) => v !== undefined);
    const name = disposition && /^form-data\s*(;|$)/i.test(disposition) ? headerParam(disposition, 'name') : undefined;
    if (name === undefined) throw malformed('A part of the multipart body has no form-data name.');
    if (headerParam(disposition ?? '', 'filename') !== undefined) {
      throw new ValidationError('invalid_field', 'Files are not accepted.', { field: name });
    }
    fields.append(name, value);
  }
  throw malformed('The multipart body is not closed.');
};

