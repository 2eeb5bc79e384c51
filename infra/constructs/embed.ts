import type { Construct } from 'constructs';
import { EmbedConfig } from '../../functions/embed/config.js';
import { embedDefine } from '../../web/embed/build.js';
import { AppFunction } from './app-function.js';
import { Feature } from './feature.js';

/**
 * GET /v1/embed.js: the widget's script (the donation banner and the signup form) that the site's pages load. It
 * is built from web/embed/ as the function is bundled and inlined into it, so that a deploy carries the current
 * sources. No client, no secret, no grant.
 */
export class Embed extends Feature {
  readonly functions: { embed: AppFunction };

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const embed = new AppFunction(this, 'EmbedFunction', {
      entry: 'embed',
      description: 'Embed: the donation banner and signup form script for the site (GET /v1/embed.js)',
      memorySize: 256,
      config: EmbedConfig,
      define: embedDefine(),
      environment: () => ({}),
    });
    this.functions = { embed };
  }
}
