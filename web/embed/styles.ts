// The embed's styles, inside its shadow root. The host page's rules cannot select anything in here; what crosses
// the boundary is inheritance, so `.root` resets every inherited property (`all: initial`: fonts, line height,
// letter spacing, text transforms, visibility...) and sets its own. Sizes are in em of the root's own font size,
// never rem (the page's root font size) or the viewport: the widget looks the same on any page, and its compact
// layout follows its own width (a container query), so it also fits a narrow column on a wide screen.
//
// Theme: custom properties do cross the boundary (and `all` never resets them), so a site sets these on the
// placeholder or any ancestor: --appeal-font, --appeal-font-size, --appeal-radius, --appeal-background,
// --appeal-text, --appeal-muted, --appeal-accent, --appeal-accent-text, --appeal-border, --appeal-field,
// --appeal-error, --appeal-success. `data-theme="dark"` (or "auto": the reader's setting) picks dark defaults.

const LIGHT =
  '--_bg:var(--appeal-background,#fff);--_text:var(--appeal-text,#1b1b1b);--_muted:var(--appeal-muted,#545454);' +
  '--_accent:var(--appeal-accent,#0b5cad);--_on-accent:var(--appeal-accent-text,#fff);--_border:var(--appeal-border,#d0d0d0);' +
  '--_field:var(--appeal-field,#fff);--_error:var(--appeal-error,#b00020);--_success:var(--appeal-success,#1b6b2f);';
const DARK =
  '--_bg:var(--appeal-background,#1e2126);--_text:var(--appeal-text,#f1f1f1);--_muted:var(--appeal-muted,#c2c2c2);' +
  '--_accent:var(--appeal-accent,#8ab4f8);--_on-accent:var(--appeal-accent-text,#0b1b33);--_border:var(--appeal-border,#50545c);' +
  '--_field:var(--appeal-field,#2b2f36);--_error:var(--appeal-error,#ff8a80);--_success:var(--appeal-success,#81c995);';

export const CSS = `
:host{display:block}
[hidden]{display:none!important}
.root{all:initial;display:block;container-type:inline-size;direction:ltr;unicode-bidi:isolate;${LIGHT}
--_radius:var(--appeal-radius,6px);
font-family:var(--appeal-font,system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif);
font-size:var(--appeal-font-size,16px);line-height:1.5;color:var(--_text);text-align:start;overflow-wrap:break-word}
:host([data-theme=dark]) .root{${DARK}}
@media (prefers-color-scheme:dark){:host([data-theme=auto]) .root{${DARK}}}
*,*::before,*::after{box-sizing:border-box}
p,h2,fieldset,legend{margin:0;padding:0}
button,input{font:inherit;letter-spacing:inherit;color:inherit;margin:0}
button{cursor:pointer}
[aria-disabled=true]{cursor:progress;opacity:.65}
:focus-visible{outline:3px solid var(--_accent);outline-offset:2px}

.appeal-banner{display:block;position:relative;background:var(--_bg);color:var(--_text);border:1px solid var(--_border);border-radius:var(--_radius);padding:1em 1.25em}
.appeal-banner-title{font-size:1.15em;line-height:1.35;margin:0 0 .75em;padding-right:1.75em}
.appeal-close{position:absolute;top:.25em;right:.25em;width:2em;height:2em;padding:0;border:0;border-radius:50%;background:none;font-size:1.25em;line-height:1;color:inherit}
.appeal-close:hover{background:color-mix(in srgb,var(--_text) 12%,transparent)}
.appeal-banner-title:focus{outline:none}
.appeal-progress-track{height:.7em;background:color-mix(in srgb,var(--_text) 20%,transparent);border-radius:999px;overflow:hidden}
.appeal-progress-fill{height:100%;width:0;background:var(--_accent);border-radius:999px;transition:width .6s ease}
.appeal-progress-fill.is-started{min-width:.75em}
.appeal-progress-row{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;column-gap:1em;margin:.35em 0 .75em}
.appeal-progress-label{font-size:.95em}
.appeal-link{padding:0;border:0;background:none;text-decoration:underline;text-underline-offset:.15em;font-size:.95em;color:inherit}
.is-ended .appeal-banner-title{font-weight:600}
.is-ended .appeal-progress-row{margin-bottom:0}
.appeal-step-lead{margin-bottom:.6em}
.appeal-step-lead:focus{outline:none}
.appeal-actions{display:flex;flex-wrap:wrap;gap:.5em;margin-top:.6em}
.appeal-primary,.appeal-secondary{padding:.45em .9em;border-radius:calc(var(--_radius) - 2px);font-weight:600;line-height:1.5}
.appeal-primary{border:2px solid var(--_accent);background:var(--_accent);color:var(--_on-accent)}
.appeal-secondary{border:2px solid var(--_text);background:none}
.appeal-fee{display:flex;gap:.5em;align-items:baseline;cursor:pointer}
.appeal-fee input,.appeal-dates input{width:1.2em;height:1.2em;accent-color:var(--_accent);flex:none;align-self:center;margin:0}
.appeal-later .field input{background:var(--_field)}
.appeal-dates{border:0;display:flex;flex-wrap:wrap;gap:.35em 1.25em;margin-bottom:.25em}
.appeal-dates legend{font-weight:600;margin-bottom:.25em;width:100%}
.appeal-dates label{display:flex;gap:.4em;align-items:center;cursor:pointer}
.appeal-dialog{width:min(36em,calc(100vw - 1em));max-height:calc(100vh - 1em);padding:0;border:0;border-radius:var(--_radius);background:#fff;color:#1b1b1b}
.appeal-dialog::backdrop{background:rgb(0 0 0/.55)}
.appeal-dialog-bar{display:flex;align-items:center;justify-content:space-between;padding:.5em .5em .5em 1em;border-bottom:1px solid #d0d0d0}
.appeal-dialog h2{font-size:1.1em}
.appeal-dialog .appeal-close{position:static}
.appeal-checkout{min-height:20em}
.appeal-options{display:flex;flex-wrap:wrap;gap:.5em 1.5em;align-items:center;margin-bottom:.75em}
.appeal-frequency{border:0;display:flex;align-items:center;gap:.25em;min-width:0}
.appeal-frequency legend{float:left;margin-right:.5em;font-weight:600}
.appeal-frequency label{position:relative;padding:.3em .8em;border:2px solid var(--_text);border-radius:999px;font-weight:600;cursor:pointer;line-height:1.35}
.appeal-frequency input{position:absolute;opacity:0;inset:0;width:100%;height:100%;margin:0;cursor:pointer}
.appeal-frequency label:has(input:checked),.appeal-frequency label.is-checked{background:var(--_text);color:var(--_bg)}
.appeal-frequency label:has(input:focus-visible){outline:3px solid var(--_text);outline-offset:2px}
.appeal-optin{display:flex;gap:.4em;align-items:baseline;font-size:.95em;cursor:pointer}
.appeal-optin input{width:1.2em;height:1.2em;accent-color:var(--_accent);flex:none;align-self:center}
.appeal-amounts{display:flex;flex-wrap:wrap;gap:.5em}
.appeal-amounts button{padding:.45em .9em;border:0;border-radius:calc(var(--_radius) - 2px);background:var(--_accent);color:var(--_on-accent);font-weight:600;line-height:1.5}
.appeal-amounts button:hover,.appeal-amounts button:focus-visible{background:color-mix(in srgb,var(--_accent) 78%,#000);outline:2px solid var(--_text);outline-offset:2px}
.appeal-per-month{display:none}
.is-monthly .appeal-per-month{display:inline}
.appeal-give-status{margin:.6em 0 0;font-weight:600}
.appeal-give-status:empty{display:none}
.appeal-give-status.is-error{color:var(--_error)}

.appeal-signup{display:block;background:var(--_bg);color:var(--_text);padding:1.5em;border:1px solid var(--_border);border-top:4px solid var(--_accent);border-radius:var(--_radius)}
.appeal-signup h2{font-size:1.35em;line-height:1.3;font-weight:700;margin-bottom:.5em}
.appeal-intro{margin-bottom:1em}
.field{margin-bottom:1em}
.field label{display:block;font-weight:600;margin-bottom:.25em}
.optional{font-weight:400;color:var(--_muted)}
.field input{display:block;width:100%;max-width:26em;padding:.55em .7em;line-height:1.5;background:var(--_field);color:var(--_text);border:1px solid color-mix(in srgb,var(--_text) 55%,var(--_bg));border-radius:calc(var(--_radius) - 2px)}
.field input[aria-invalid=true]{border-color:var(--_error);border-width:2px}
.field-error{color:var(--_error);margin-top:.25em;font-size:.95em}
.appeal-hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.consent{color:var(--_muted);font-size:.9em;margin-bottom:1em}
.appeal-submit{font-weight:600;padding:.6em 1.2em;background:var(--_accent);color:var(--_on-accent);border:0;border-radius:calc(var(--_radius) - 2px);line-height:1.5}
.appeal-submit:hover{background:color-mix(in srgb,var(--_accent) 78%,#000)}
.appeal-status{min-height:1.5em;margin-top:.75em}
.appeal-status.is-success{color:var(--_success)}
.appeal-status.is-error{color:var(--_error)}

@container (max-width:480px){
.appeal-banner{padding:.75em .85em}
.appeal-banner-title{font-size:1em;margin-bottom:.5em}
.appeal-progress-row{margin:.25em 0 .5em}
.appeal-progress-label,.appeal-link{font-size:.875em}
.appeal-options{gap:.4em 1em;margin-bottom:.5em}
.appeal-frequency legend{font-size:.95em}
.appeal-frequency label{padding:.15em .7em}
.appeal-optin{font-size:.875em}
.appeal-amounts{gap:.35em}
.appeal-amounts button{flex:1 0 auto;padding:.4em .45em;font-size:.95em}
.appeal-wide{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.appeal-signup{padding:1em}
}
@media (prefers-reduced-motion:reduce){.appeal-progress-fill{transition:none}}
`;
