import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FallbackConfig } from '../../functions/configs.js';
import { AppFunction } from '../../infra/constructs/app-function.js';

/** A stack with two AppFunctions, one with the secrets extension; no bundling (the layer is what is checked). */
const synth = () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Extension', { env: { account: '123456789012', region: 'eu-west-1' } });
  new AppFunction(stack, 'With', { entry: 'fallback', description: 'with the extension', config: FallbackConfig, environment: () => ({ SITE_NAME: 'x', SITE_URL: undefined, SITE_LOGO_URL: undefined, SITE_BRAND_COLOR: undefined, SITE_ACCENT_COLOR: undefined, SITE_LANGUAGE: undefined }), secretsExtension: true });
  new AppFunction(stack, 'Without', { entry: 'fallback', description: 'without the extension', config: FallbackConfig, environment: () => ({ SITE_NAME: 'x', SITE_URL: undefined, SITE_LOGO_URL: undefined, SITE_BRAND_COLOR: undefined, SITE_ACCENT_COLOR: undefined, SITE_LANGUAGE: undefined }) });
  return Template.fromStack(stack);
};

describe('AppFunction secretsExtension', () => {
  const template = synth();
  const fn = (description: string) => {
    const found = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: description } }));
    expect(found).toHaveLength(1);
    return (found[0] as { Properties: { Layers?: unknown[]; Environment: { Variables: Record<string, string> } } }).Properties;
  };

  it("attaches AWS's Parameters and Secrets extension layer (arm64) with a small cache and warnings only", () => {
    const props = fn('with the extension');
    expect(props.Layers).toHaveLength(1);
    expect(JSON.stringify(props.Layers)).toMatch(/arn:aws:lambda:eu-west-1:\d{12}:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+/);
    expect(props.Environment.Variables).toMatchObject({
      PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: 'true',
      PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE: '10',
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773',
      PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: 'warn',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'with the extension',
      Architectures: ['arm64'],
      Layers: Match.anyValue(),
    });
  });

  it('attaches nothing by default', () => {
    const props = fn('without the extension');
    expect(props.Layers).toBeUndefined();
    expect(Object.keys(props.Environment.Variables).filter((name) => name.startsWith('PARAMETERS_SECRETS'))).toEqual([]);
  });
});
