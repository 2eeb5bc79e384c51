import { type Html, html, raw, render } from '../../functions/core/shared/template.js';

/** The dev server's own pages, linked from each other's header. */
const PAGES = [
  ['/_local/outbox', 'Outbox'],
  ['/_local/webhooks', 'Webhooks'],
  ['/_local/connectors', 'Newsletter tools'],
] as const;

/** What every dev-server page shares; each page adds the rules of its own parts. */
const STYLE = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; background: #f4f4f2; }
  body { margin: 0; }
  header { background: #1d2b36; color: #fff; padding: 0.75rem 1rem; }
  header p { margin: 0; font-weight: 600; }
  header a { color: #fff; }
  main { max-width: 70rem; margin: 0 auto; padding: 1rem; }
  h1 { font-size: 1.5rem; margin: 0.5rem 0 0.75rem; overflow-wrap: anywhere; }
  h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; overflow-wrap: anywhere; }
`;

/**
 * A dev-server page (never deployed): the header with the links to the others and what this one shows (`about`),
 * the shared styles and the page's own (`style`), its body.
 */
export const localPage = ({ title, about, style, body }: { title: string; about: string; style: string; body: Html }) =>
  render(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Appeal (local)</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<style>${raw(STYLE + style)}</style>
</head>
<body>
<header><p>${PAGES.map(([href, name]) => html`<a href="${href}">${name}</a> · `)}Appeal dev server: ${about}</p></header>
<main>
${body}
</main>
</body>
</html>
`);
