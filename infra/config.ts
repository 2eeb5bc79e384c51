import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CurrencyCode } from '../functions/core/donations-model.js';
import { ListId } from '../functions/core/model.js';

/** One deployment (stage) of Appeal. Checked when the CDK app starts, so a bad value fails `cdk synth`. */
export const StageConfig = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{1,20}$/),
  account: z.string().regex(/^\d{12}$/).optional(),
  region: z.string().default('us-east-1'),
  siteName: z.string().min(1),
  /** Origins allowed by CORS: the news site's pages that embed the widget. */
  siteOrigins: z.array(z.url()).min(1),
  /** Base of the links in emails when the API has a custom domain; default: the API's own endpoint. */
  publicApiUrl: z.url().optional(),
  /** The domain SES sends from (verified with DKIM records the stack outputs). */
  senderDomain: z.string().min(3),
  mailFrom: z.string().min(3),
  replyTo: z.string().optional(),
  lists: z.array(ListId).min(1),
  defaultList: z.string(),
  consentVersion: z.string().min(1),
  confirmTtlDays: z.number().int().positive().default(7),
  thankYouUrl: z.url().optional(),
  confirmedUrl: z.url().optional(),
  /** The charity named on receipts. */
  charityName: z.string().min(1),
  charityRegistration: z.string().min(1),
  currencies: z.array(CurrencyCode).min(1).default(['usd', 'eur', 'gbp']),
  donationSuccessUrl: z.url().optional(),
  donationCancelUrl: z.url().optional(),
  /** Live Stripe keys in this stage: test-mode events are then ignored, and the other way round. */
  stripeLivemode: z.boolean().default(false),
  /** Who hears about alarms (dead letters, errors, 5xx). */
  alarmEmail: z.email().optional(),
  limits: z
    .object({
      signupClientPerMinute: z.number().int().positive().default(30),
      signupAddressPerHour: z.number().int().positive().default(5),
      linkClientPerMinute: z.number().int().positive().default(60),
      checkoutClientPerMinute: z.number().int().positive().default(10),
    })
    .prefault({}),
  /** API Gateway throttling: the whole stage, and the public signup route on its own. */
  throttle: z
    .object({
      rateLimit: z.number().positive().default(50),
      burstLimit: z.number().int().positive().default(100),
      signupRateLimit: z.number().positive().default(10),
      signupBurstLimit: z.number().int().positive().default(20),
      checkoutRateLimit: z.number().positive().default(5),
      checkoutBurstLimit: z.number().int().positive().default(10),
      adminRateLimit: z.number().positive().default(5),
      adminBurstLimit: z.number().int().positive().default(10),
    })
    .prefault({}),
}).refine((c) => c.lists.includes(c.defaultList), { message: 'defaultList must be one of lists', path: ['defaultList'] });
export type StageConfig = z.infer<typeof StageConfig>;

export const loadStageConfig = (path: string): StageConfig => {
  const result = StageConfig.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!result.success) {
    throw new Error(`invalid stage config ${path}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
};
