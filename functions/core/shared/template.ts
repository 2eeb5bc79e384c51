// How every page and email is written: an auto-escaping template over Hono's HTML utilities, so that no template
// escapes by hand and there is one escape implementation (Hono's: & < > " ' as &amp; &lt; &gt; &quot; &#39;).
//
// The tag is ours, a few lines over Hono's `escapeToBuffer` and `raw`, rather than `hono/html`'s `html`: that one
// also awaits promises and runs render callbacks (streaming JSX), which no page or email has, and its type says a
// result may be a promise: this one is synchronous, so every page and email is a plain string where it is made.
import { escapeToBuffer, type HtmlEscapedString, raw as honoRaw } from 'hono/utils/html';

/**
 * HTML we wrote or escaped: what `html` and `raw` return. A bare string (a reader's text, a campaign's title, a
 * configured name) is never one, so it cannot pass into a page as markup: a template escapes it.
 */
export type Html = HtmlEscapedString;

/**
 * What a template takes: text and numbers, escaped; Html, as it is; lists, joined without a separator; and
 * `false`, `null` or `undefined`, which add nothing (`${hasError && html`…`}`).
 */
export type Value = string | number | Html | false | null | undefined | readonly Value[];

const append = (buffer: [string], value: Value): void => {
  if (typeof value === 'string') escapeToBuffer(value, buffer);
  else if (typeof value === 'number' || (typeof value === 'object' && value !== null && 'isEscaped' in value)) buffer[0] += value;
  else if (value) for (const item of value) append(buffer, item);
};

/** An HTML template. Its own text is markup; every value in it is escaped unless it is Html. */
export const html = (strings: TemplateStringsArray, ...values: readonly Value[]): Html => {
  const buffer: [string] = [''];
  strings.forEach((text, i) => {
    buffer[0] += text;
    append(buffer, values[i]);
  });
  return honoRaw(buffer[0]);
};

/**
 * Markup taken as it is, for the few trusted constants of our own that escaping would break: an inline script
 * whose CSP hash is computed from the same constant, an inline stylesheet. Never for text from outside.
 */
export const raw = (trusted: string): Html => honoRaw(trusted);

/** Items one after another with `separator` between them (a template joins a list with nothing between). */
export const join = (items: readonly Value[], separator: Value): Html => html`${items.flatMap((item, i) => (i === 0 ? [item] : [separator, item]))}`;

/** The finished page or email as the string a response or a mail carries. */
export const render = (markup: Html): string => markup.toString();

/**
 * A catalogue message as HTML: its words escaped and each `{name}` filled with `values[name]` (text escaped, Html
 * as it is); a placeholder without a value is left as written, as i18n's `fill` leaves it.
 */
export const fillHtml = (template: string, values: Readonly<Record<string, Value>>): Html =>
  html`${template.split(/\{(\w+)\}/).map((part, i) => (i % 2 === 0 ? part : Object.hasOwn(values, part) ? values[part] : `{${part}}`))}`;

