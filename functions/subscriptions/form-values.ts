import type { SignupFormValues } from '../core/subscriptions/pages.js';
import { isListsField } from '../core/subscriptions/subscriptions.js';
import { type HttpRequest, MAX_BODY_BYTES } from '../platform/http/request.js';

/** What a form posted without JavaScript typed (urlencoded: the only form this route takes), to show it again. */
export const typedValues = (req: HttpRequest): SignupFormValues => {
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '') || req.rawBody.length > MAX_BODY_BYTES) return {};
  const form = new URLSearchParams(req.rawBody);
  const one = (key: string) => form.get(key) ?? undefined;
  const lists = [...form].flatMap(([key, value]) => (isListsField(key) ? [value] : []));
  return { email: one('email'), name: one('name'), lists, source: one('source'), lang: one('lang') };
};
