import { type Brand, toBrand } from './brand.js';
import { palette } from './palette.js';

// The icon of our pages, drawn here rather than shipped as a file (nothing is downloaded, nothing to keep in step
// with the brand): the site's initial in a 5×7 pixel font, tripled, on a rounded square of the brand colour, over
// a bar of the accent. 32×32, as a Windows icon (ICO) holding one 32-bit BMP with alpha: every browser reads it
// at /favicon.ico, and at 4 KiB uncompressed it needs no PNG encoder.

const SIZE = 32;
/** A–Z then 0–9, 7 rows of 5 pixels each, every row one base-32 digit (its bits, most significant on the left). */
const FONT =
  'ehhvhhhuhhuhhuehgggheuhhhhhuvgguggvvggugggehgnhhfhhhvhhhe44444e72222ichikokihggggggvhrllhhhhhpljhhehhhhheuhhugggehhhliduhhukihfgge11uv444444hhhhhhehhhhha4hhhlllahha4ahhhha4444v1248gvehjlphe4c4444eeh1248vv2421he26aiv22vgu11he68guhhev124888ehhehheehhf12c';
const GLYPHS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

/** Whether pixel (x, y) of the glyph for `char` is set; a character outside the font draws nothing. */
const glyphPixel = (char: string, x: number, y: number) => {
  const index = GLYPHS.indexOf(char);
  if (index < 0 || x < 0 || x > 4 || y < 0 || y > 6) return false;
  const row = Number.parseInt(FONT[index * 7 + y] ?? '0', 32);
  return ((row >> (4 - x)) & 1) === 1;
};

/** How much of pixel (x, y) a square of side SIZE with rounded corners (radius 6) covers, 0–1 (4×4 samples). */
const coverage = (x: number, y: number) => {
  const r = 6;
  let inside = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const px = x + (sx + 0.5) / 4;
      const py = y + (sy + 0.5) / 4;
      const cx = Math.min(Math.max(px, r), SIZE - r);
      const cy = Math.min(Math.max(py, r), SIZE - r);
      if ((px - cx) ** 2 + (py - cy) ** 2 <= r * r) inside++;
    }
  }
  return inside / 16;
};

/** The site's initial: its first letter or digit ("GlobalSecurity.org" → G). */
const initialOf = (siteName: string) => (siteName.normalize('NFD').toUpperCase().match(/[A-Z0-9]/)?.[0] ?? '');

/** The icon's RGBA pixels, top row first. */
export const faviconPixels = (site: Brand): Uint8Array => {
  const brand = toBrand(site);
  const colors = palette(brand);
  const [background, letter, bar] = [rgb(colors.color), rgb(colors.onColor), rgb(colors.accent)];
  const initial = initialOf(brand.siteName);
  const pixels = new Uint8Array(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      // The glyph, scaled ×3, from (9, 3); the accent bar under it.
      const inGlyph = glyphPixel(initial, Math.floor((x - 9) / 3), Math.floor((y - 3) / 3));
      const inBar = y >= 26 && y <= 28 && x >= 9 && x <= 23;
      const [r, g, b] = inGlyph ? letter : inBar ? bar : background;
      const i = (y * SIZE + x) * 4;
      pixels.set([r, g, b, Math.round(coverage(x, y) * 255)], i);
    }
  }
  return pixels;
};

/** The icon as a `.ico` file. */
export const faviconIco = (site: Brand): Uint8Array => {
  const pixels = faviconPixels(site);
  const maskRow = SIZE / 8; // 1 bit a pixel; 32 pixels are already a whole 4-byte row
  const imageSize = 40 + SIZE * SIZE * 4 + maskRow * SIZE;
  const out = new Uint8Array(6 + 16 + imageSize);
  const view = new DataView(out.buffer);
  // ICONDIR: reserved, type 1 (icon), one image.
  view.setUint16(2, 1, true);
  view.setUint16(4, 1, true);
  // ICONDIRENTRY: 32×32, no palette, 1 plane, 32 bits a pixel, its size and offset.
  out[6] = SIZE;
  out[7] = SIZE;
  view.setUint16(10, 1, true);
  view.setUint16(12, 32, true);
  view.setUint32(14, imageSize, true);
  view.setUint32(18, 22, true);
  // BITMAPINFOHEADER: the height counts the colour rows and the transparency mask's together.
  view.setUint32(22, 40, true);
  view.setInt32(26, SIZE, true);
  view.setInt32(30, SIZE * 2, true);
  view.setUint16(34, 1, true);
  view.setUint16(36, 32, true);
  view.setUint32(42, SIZE * SIZE * 4 + maskRow * SIZE, true);
  // Colour rows bottom-up, BGRA; then the AND mask (1: transparent) for readers that ignore alpha.
  let at = 62;
  for (let y = SIZE - 1; y >= 0; y--) {
    for (let x = 0; x < SIZE; x++) {
      const i = (y * SIZE + x) * 4;
      out.set([pixels[i + 2] ?? 0, pixels[i + 1] ?? 0, pixels[i] ?? 0, pixels[i + 3] ?? 0], at);
      at += 4;
    }
  }
  for (let y = SIZE - 1; y >= 0; y--) {
    for (let x = 0; x < SIZE; x++) {
      if ((pixels[(y * SIZE + x) * 4 + 3] ?? 0) === 0) out[at + (x >> 3)] = (out[at + (x >> 3)] ?? 0) | (0x80 >> (x & 7));
    }
    at += maskRow;
  }
  return out;
};
