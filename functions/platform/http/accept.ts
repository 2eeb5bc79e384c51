import { JSON_TYPE } from './media-types.js';

/**
 * True when an Accept header ranks an HTML page above JSON (a browser, a plain form post). Each of the two types
 * takes the quality of the most specific range that matches it (RFC 9110, 12.5.1: `type/subtype` over `type/*`
 * over `*\/*`); a tie goes to the more specific range, then to the earlier one, and a tie of `*\/*` (or no header)
 * to JSON, as it always has: API clients get the contract's bodies. A range with parameters other than `q`
 * (`text/html;level=1`) matches neither. A few lines rather than a negotiation library in every public function's
 * cold start, for one question between two types; `tests/unit/platform/http/accept.test.ts` checks them
 * against negotiator's answers.
 */
export const prefersHtml = (accept: string | undefined) => {
  // Per type: [quality, specificity, -index] of the most specific range that matches it.
  const html = [0, -1, 0];
  const json = [0, -1, 0];
  accept?.split(',').forEach((part, index) => {
    const [range = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const [param = 'q=1'] = params;
    const q = params.length < 2 && /^q\s*=/.test(param) ? Number(param.slice(param.indexOf('=') + 1)) : Number.NaN;
    if (!(q >= 0 && q <= 1)) return;
    for (const [rank, type] of [[html, 'text/html'], [json, JSON_TYPE]] as const) {
      const specificity = range === type ? 2 : range === `${type.split('/')[0]}/*` ? 1 : range === '*/*' ? 0 : -1;
      if (specificity > (rank[1] ?? -1)) rank.splice(0, 3, q, specificity, -index);
    }
  });
  const [hq = 0, hs = 0, hi = 0] = html;
  const [jq = 0, js = 0, ji = 0] = json;
  return hq !== jq ? hq > jq : hq > 0 && (hs !== js ? hs > js : hi > ji);
};
