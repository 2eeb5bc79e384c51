import type { Brand } from './brand.js';
import { palette } from './palette.js';

const stylesheets = new Map<string, string>();

/** Where the pages' stylesheet is served (by the catch-all function, with the favicon). */
export const SITE_CSS_PATH = '/v1/site.css';

/**
 * The one stylesheet of every page we host (choosers, thank-you pages, confirm, unsubscribe, errors, 404), with
 * the brand's colours baked in. Served by the catch-all function at SITE_CSS_PATH (cached by browsers for an hour)
 * and linked from each page, rather than inlined: inlined, its 4.5 KiB would sit in the bundle and the cold start
 * of every function that renders a page, for a saving of one cached request. The pages' policy
 * allows styles from our own origin only (see pagePolicy), and the pages carry no `style` attributes.
 */
export const stylesheet = (site: Brand): string => {
  const p = palette(site);
  const key = `${p.color}${p.accent}`;
  const cached = stylesheets.get(key);
  if (cached) return cached;
  const css = `:root{--brand:${p.color};--on-brand:${p.onColor};--accent:${p.accent};--on-accent:${p.onAccent};--link:${p.link};--accent-ink:${p.accentInk};--ink:${p.ink};--muted:${p.muted};--error:#b00020}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#eef0f4;color:var(--ink);font:1.0625rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;overflow-wrap:anywhere}
a{color:var(--link)}
:focus-visible{outline:3px solid var(--accent-ink);outline-offset:2px}
.masthead{background:var(--brand);border-bottom:4px solid var(--accent)}
.masthead>*{display:flex;align-items:center;gap:.6rem;max-width:40rem;margin:0 auto;padding:.75rem 1rem;color:var(--on-brand);text-decoration:none;font:700 1.35rem/1.2 Georgia,"Times New Roman",serif}
.masthead img{display:block;height:2.25rem;width:auto;max-width:60%}
main{display:block;max-width:40rem;margin:1.25rem auto;padding:1.25rem 1rem 1.5rem;background:#fff}
@media (min-width:42rem){main{margin:2rem auto;padding:1.75rem 2rem 2rem;border-radius:4px}}
h1{margin:0 0 1rem;color:var(--link);font:700 1.7rem/1.2 Georgia,"Times New Roman",serif}
h2{margin:1.5rem 0 .5rem;font-size:1.15rem}
p{margin:0 0 1rem}
.lead{font-size:1.15rem}
.muted,.hint{color:var(--muted);font-size:.92rem}
.hint{margin:0 0 .35rem}
button,.button{display:inline-block;min-height:2.75rem;padding:.55rem 1.2rem;border:2px solid var(--accent);border-radius:4px;background:var(--accent);color:var(--on-accent);font:inherit;font-weight:600;line-height:1.4;text-align:center;text-decoration:none;cursor:pointer}
.button.secondary,button.secondary{background:#fff;color:var(--accent-ink)}
.amounts button{background:#fff;color:var(--accent-ink);width:100%}
.amounts button:hover,.button.secondary:hover{background:var(--accent);color:var(--on-accent)}
.amounts{display:grid;grid-template-columns:repeat(auto-fill,minmax(6.25rem,1fr));gap:.5rem}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin:1.25rem 0 0}
.field{margin:0 0 1.1rem}
label,legend{display:block;margin:0 0 .3rem;padding:0;font-weight:600}
input{font:inherit;color:inherit}
input:not([type=radio]):not([type=checkbox]){width:100%;max-width:24rem;min-height:2.75rem;padding:.5rem .7rem;border:1px solid #6b7280;border-radius:4px;background:#fff}
input[aria-invalid=true]{border:2px solid var(--error)}
.row{display:flex;flex-wrap:wrap;gap:.5rem}
.row input:not([type=radio]):not([type=checkbox]){flex:1 1 9rem;width:auto}
fieldset{margin:0 0 1.25rem;padding:0;border:0;min-width:0}
.choice{display:flex;align-items:flex-start;gap:.55rem;margin:.35rem 0;font-weight:400}
.choice input{flex:none;width:1.25rem;height:1.25rem;margin:.15rem 0 0;accent-color:var(--accent)}
.options{display:flex;flex-wrap:wrap;gap:0 1.75rem}
.field-error{margin:.2rem 0 .35rem;color:var(--error);font-weight:600}
.alert,.notice{margin:0 0 1.25rem;padding:.75rem 1rem;border-left:5px solid var(--error);background:#fdf1f2}
.notice{border-color:var(--link);background:#f0f3f8}
.alert>:last-child,.notice>:last-child{margin-bottom:0}
progress{display:block;width:100%;height:.8rem;margin:.25rem 0 1.25rem;accent-color:var(--accent)}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.default-submit{position:absolute;width:1px;height:1px;min-height:0;padding:0;margin:-1px;overflow:hidden;clip-path:inset(50%);border:0}
.foot{max-width:40rem;margin:0 auto 2rem;padding:0 1rem;color:var(--muted);font-size:.92rem}
.dashboard-chart{margin:0 0 2rem}
.dashboard-totals dl{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.75rem;margin:0 0 1.5rem}
.dashboard-totals dt{color:var(--muted);font-size:.92rem}
.dashboard-totals dd{margin:0;font-size:1.3rem;font-weight:700}
svg.chart{display:block;width:100%;height:auto}
.chart text{font-size:12px;fill:var(--ink)}
.chart .label{fill:var(--muted)}
.chart .grid{stroke:#d5d9e0}
.chart .axis{stroke:#6b7280}
.chart .bar{fill:var(--brand)}
.line{fill:none;stroke-width:2}
.line.s0,.dot.s0{stroke:var(--brand);fill:var(--brand)}
.line.s1,.dot.s1{stroke:#b45309;fill:#b45309}
.line.s2,.dot.s2{stroke:#0f766e;fill:#0f766e}
.line.s3,.dot.s3{stroke:#6d28d9;fill:#6d28d9}
.line.s4,.dot.s4{stroke:#be123c;fill:#be123c}
.line.s0,.line.s1,.line.s2,.line.s3,.line.s4{fill:none}
.line.s1{stroke-dasharray:6 3}
.line.s2{stroke-dasharray:2 3}
.line.s3{stroke-dasharray:9 3 2 3}
.line.s4{stroke-dasharray:1 5}
.chart-key{display:flex;flex-wrap:wrap;gap:.35rem 1.25rem;margin:.5rem 0;padding:0;list-style:none;font-size:.92rem}
.chart-key svg{width:1.5rem;height:.5rem;margin-right:.4rem;vertical-align:middle}
.chart-data summary{cursor:pointer;color:var(--link)}
.chart-table{border-collapse:collapse;margin:.5rem 0;font-size:.92rem}
.chart-table caption{text-align:left;font-weight:600}
.chart-table th,.chart-table td{padding:.2rem .6rem;border-bottom:1px solid #d5d9e0;text-align:right;font-variant-numeric:tabular-nums}
.chart-table th[scope=row]{text-align:left;font-weight:400}
.statement{width:100%;border-collapse:collapse;margin:1rem 0;font-variant-numeric:tabular-nums}
.statement th,.statement td{padding:.3rem .5rem;border-bottom:1px solid #d5d9e0;text-align:left}
.statement .num{text-align:right}
.statement tfoot th,.statement tfoot td{font-weight:700;border-bottom:0}
@media print{body{background:#fff;color:#000}.masthead{background:none;color:#000}.masthead>*{color:#000}main{margin:0;padding:0;max-width:none}.foot,.no-print{display:none}a{color:#000;text-decoration:none}}`;
  stylesheets.set(key, css);
  return css;
};
