import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../functions/core/shared/errors.js';
import { parseMultipart } from '../../../../functions/platform/http/multipart.js';

describe('parseMultipart', () => {
  const type = 'multipart/form-data; boundary=b0undary';
  const body = (...parts: string[]) => `${parts.map((p) => `--b0undary\r\n${p}\r\n`).join('')}--b0undary--\r\n`;
  const parse = (text: string, contentType = type) => parseMultipart(Buffer.from(text), contentType);

  it('reads the text fields of an RFC 7578 body, as a mail client sends RFC 8058 one-click', async () => {
    const fields = await parse(
      `preamble\r\n${body('Content-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click', 'content-disposition: form-data; name=lists\r\nContent-Type: text/plain; charset=utf-8\r\n\r\na\r\nb')}epilogue`,
    );
    expect(fields.get('List-Unsubscribe')).toBe('One-Click');
    expect(fields.get('lists')).toBe('a\r\nb');
    const quoted = await parse('--a:b"c\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--a:b"c--', 'multipart/form-data; boundary="a:b\\"c"');
    expect(quoted.get('x')).toBe('1');
  });

  it('keeps repeated fields, empty values and UTF-8 text', async () => {
    const fields = await parse(
      body(
        'Content-Disposition: form-data; name="lists"\r\n\r\nnews',
        'Content-Disposition: form-data; name="lists"\r\n\r\nevents',
        'Content-Disposition: form-data; name="name"\r\n\r\nZoë Łukasz',
        'Content-Disposition: form-data; name="source"\r\n\r\n',
      ),
    );
    expect(fields.getAll('lists')).toEqual(['news', 'events']);
    expect(fields.get('name')).toBe('Zoë Łukasz');
    expect(fields.get('source')).toBe('');
  });

  it('refuses a body without boundary, closing delimiter or field name, and files', async () => {
    const part = 'Content-Disposition: form-data; name="x"\r\n\r\n1';
    await expect(parse(body(part), 'multipart/form-data')).rejects.toThrow(ValidationError);
    await expect(parse(body(part), 'multipart/form-data; boundary=')).rejects.toThrow(/no valid boundary/);
    await expect(parse(body(part), `multipart/form-data; boundary=${'b'.repeat(71)}`)).rejects.toThrow(/no valid boundary/);
    await expect(parse(`--b0undary\r\n${part}\r\n`)).rejects.toThrow(/not closed/);
    await expect(parse('no delimiter at all')).rejects.toThrow(/not closed/);
    await expect(parse(body('Content-Type: text/plain\r\n\r\n1'))).rejects.toThrow(/no form-data name/);
    await expect(parse(body('Content-Disposition: form-data\r\n\r\n1'))).rejects.toThrow(/no form-data name/);
    await expect(parse(body(part, 'Content-Disposition: attachment; name="y"\r\n\r\n2'))).rejects.toThrow(/no form-data name/);
    await expect(parse(body('Content-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n1'))).rejects.toThrow(/Files/);
  });

  it('refuses with a 400 code of the contract, naming the file field', async () => {
    const bad = await parse(body('Content-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n1')).catch((error: unknown) => error);
    expect(bad).toMatchObject({ code: 'invalid_field', field: 'f' });
    const unclosed = await parse('--b0undary\r\nContent-Disposition: form-data; name="x"\r\n\r\n1').catch((error: unknown) => error);
    expect(unclosed).toMatchObject({ code: 'invalid_body' });
    const broken = await parse(body('Content-Disposition form-data\r\n\r\n1')).catch((error: unknown) => error);
    expect(broken).toBeInstanceOf(ValidationError);
  });
});
