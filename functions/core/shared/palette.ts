// The colours a page, an email or the icon paints with, from the brand's pair and readable whatever the pair is.
import { type Brand, toBrand } from './brand.js';

/** WCAG 2 relative luminance of `#rrggbb`. */
const luminance = (hex: string) => {
  const [r = 0, g = 0, b = 0] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
export const contrastRatio = (a: string, b: string) => {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
};
const WHITE = '#ffffff';
const INK = '#1a1a1a';
/** White or near-black, whichever reads better on `background`. */
export const textOn = (background: string) => (contrastRatio(background, WHITE) >= contrastRatio(background, INK) ? WHITE : INK);
/** The colour itself for text on white when it is readable there (WCAG AA, 4.5:1), else near-black. */
const inkOnWhite = (color: string) => (contrastRatio(color, WHITE) >= 4.5 ? color : INK);

/** The colours a page or an email paints with, each readable on what it sits on whatever the configured pair. */
export const palette = (brand: Brand) => {
  const { color, accent } = toBrand(brand);
  return { color, onColor: textOn(color), accent, onAccent: textOn(accent), ink: INK, link: inkOnWhite(color), accentInk: inkOnWhite(accent), muted: '#4a5260' };
};
