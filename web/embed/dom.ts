// The few DOM helpers the embed needs: elements built with createElement (never innerHTML: a campaign's title is
// text), and its own shadow root.

type Child = Node | string | false | null | undefined;
type Attributes = Record<string, string | boolean | undefined>;

/** An element with attributes (true: present, false or undefined: absent) and children. */
export const h = <K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, '');
    else if (typeof value === 'string') element.setAttribute(name, value);
  }
  for (const child of children) if (child !== false && child !== null && child !== undefined) element.append(child);
  return element;
};

/** The element that has focus, looking inside shadow roots (document.activeElement stops at their host). */
export const focusedElement = (): Element | null => {
  let element = document.activeElement;
  while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
  return element;
};

/**
 * Renders `content` into an open shadow root of `host`, in place of the placeholder's own HTML (the version that
 * works without JavaScript), with the embed's styles. The host page's CSS reaches a shadow tree only through
 * inherited properties, which the root resets (styles.ts), and through custom properties, which are the theme.
 * A constructed style sheet needs no `style-src 'unsafe-inline'` in a site's Content Security Policy.
 */
let sheet: CSSStyleSheet | undefined;
export const mount = (host: HTMLElement, css: string, language: string, content: HTMLElement): ShadowRoot => {
  const shadow = host.attachShadow({ mode: 'open' });
  if ('adoptedStyleSheets' in shadow && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    // One sheet for every placeholder on the page: parsed once.
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
    }
    shadow.adoptedStyleSheets = [sheet];
  } else {
    shadow.append(h('style', {}, css));
  }
  shadow.append(h('div', { class: 'root', lang: language }, content));
  host.replaceChildren();
  return shadow;
};
