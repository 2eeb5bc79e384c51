import * as z from 'zod';
import { SignupRequest } from '../subscriptions/model.js';

export const OutgoingEmail = z.object({
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  headers: z.record(z.string(), z.string()),
});

export type OutgoingEmail = z.infer<typeof OutgoingEmail>;

/** A message on the mail queue: every email leaves through it, so a slow SES never slows a request. */
export const MailJob = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('signup'), id: z.string(), request: SignupRequest }),
  z.object({ kind: z.literal('email'), id: z.string(), dedupeKey: z.string().optional(), email: OutgoingEmail }),
]);

export type MailJob = z.infer<typeof MailJob>;
