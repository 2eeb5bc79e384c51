import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEE_RATES, FeeRates } from '../../functions/core/donations/fees.js';
import { parse } from '../../functions/core/shared/schema.js';
import { buildStage } from '../../infra/app.js';
import { StageConfig } from '../../infra/config.js';
import { CDK_CONTEXT, TEST_STAGE } from '../support/stage.js';

// The appeal's stage settings (API.md, "The appeal"): the fee rates donors may cover and the in-page checkout reach
// the donations function as FEE_RATES, EMBEDDED_CHECKOUT and STRIPE_PUBLISHABLE_KEY (functions/donations/config.ts).

/** The donations function's environment in the API stack of a stage with `overrides` (synthesized without bundling). */
const donationsEnvironment = (overrides: Record<string, unknown> = {}) => {
  const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const template = Template.fromStack(buildStage(app, StageConfig.parse({ ...TEST_STAGE, ...overrides })).api);
  const found = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } })).filter((fn) =>
    String(fn.Properties?.Description ?? '').startsWith('Donations'),
  );
  expect(found).toHaveLength(1);
  return found[0]?.Properties.Environment.Variables as Record<string, unknown>;
};

describe("the appeal's stage settings", () => {
  it('leaves the fee rates to the function default and the in-page checkout off when a stage names neither', () => {
    const env = donationsEnvironment();
    expect(env).not.toHaveProperty('FEE_RATES');
    expect(env).not.toHaveProperty('EMBEDDED_CHECKOUT');
    expect(env).not.toHaveProperty('STRIPE_PUBLISHABLE_KEY');
    expect(Object.keys(parse(FeeRates, DEFAULT_FEE_RATES))).toEqual(['usd', 'eur', 'gbp']);
  });

  it("passes a stage's fee rates, embedded Checkout and publishable key to the donations function as it reads them", () => {
    const env = donationsEnvironment({ feeRates: 'usd:0.022+30,gbp:0.015+20', embeddedCheckout: true, stripePublishableKey: 'pk_live_51AbC' });
    expect(env).toMatchObject({ FEE_RATES: 'usd:0.022+30,gbp:0.015+20', EMBEDDED_CHECKOUT: 'true', STRIPE_PUBLISHABLE_KEY: 'pk_live_51AbC' });
    expect(parse(FeeRates, env.FEE_RATES).usd).toMatchObject({ rate: '0.022', fixed: 30 });
  });

  it('refuses, when the CDK app starts, a time zone Intl does not know, fee rates the function could not read, a secret key for the publishable one, and embedded Checkout without a key', () => {
    const refused = (overrides: Record<string, unknown>) => StageConfig.safeParse({ ...TEST_STAGE, ...overrides }).error?.issues.map((i) => i.path.join('.'));
    expect(refused({ feeRates: 'usd:2.9%+30' })).toEqual(['feeRates']);
    expect(refused({ feeRates: 'usd:1.5+30' })).toEqual(['feeRates']);
    expect(refused({ stripePublishableKey: 'sk_live_51AbC' })).toEqual(['stripePublishableKey']);
    expect(refused({ embeddedCheckout: true })).toEqual(['stripePublishableKey']);
    expect(refused({ embeddedCheckout: true, stripePublishableKey: 'pk_test_abc', feeRates: 'jpy:0.036+0' })).toBeUndefined();
    expect(refused({ timeZone: 'Mars/Olympus_Mons' })).toEqual(['timeZone']);
    expect(refused({ timeZone: 'Europe/Kiev' })).toBeUndefined();
  });
});
