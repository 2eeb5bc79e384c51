import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/shared/errors.js';
import { parseMultipart } from '../../../functions/platform/http/multipart.js';

describe('parseMultipart', () => {
  const type = 'multipart/form-data; boundary=b0undary';
  const body = (...parts: string[]) => `${parts.map((p) => `--b0undary\r\n${p}\r\n`).join('')}--b0undary--\r\n`;

  it('reads the text fields of an RFC 7578 body, as a mail client sends RFC 8058 one-click', () => {
    const fields = parseMultipart(
      `preamble\r\n${body('Content-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click', 'content-disposition: form-data; name=lists\r\nContent-Type: text/plain; charset=utf-8\r\n\r\na\r\nb')}epilogue`,
      type,
    );
    expect(fields.get('List-Unsubscribe')).toBe('One-Click');
    expect(fields.get('lists')).toBe('a\r\nb');
    const quoted = parseMultipart('--a:b"c\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--a:b"c--', 'multipart/form-data; boundary="a:b\\"c"');
    expect(quoted.get('x')).toBe('1');
  });

  it('refuses a body without boundary, closing delimiter or field name, and files', () => {
    const part = 'Content-Disposition: form-data; name="x"\r\n\r\n1';
    expect(() => parseMultipart(body(part), 'multipart/form-data')).toThrow(ValidationError);
    expect(() => parseMultipart(`--b0undary\r\n${part}\r\n`, type)).toThrow(/not closed/);
    expect(() => parseMultipart(body('Content-Type: text/plain\r\n\r\n1'), type)).toThrow(/no form-data name/);
    expect(() => parseMultipart(body('Content-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n1'), type)).toThrow(/Files/);
  });
});
