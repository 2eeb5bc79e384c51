import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { acceptFinding } from '../nag.js';
import { Feature } from './feature.js';

/**
 * The one key for link tokens and keyed hashes, which the functions read from Secrets Manager at a cold start.
 * Not rotated automatically: rotating it would break every unsubscribe link already sent (see README, "Rotating
 * the signing key").
 */
export class SigningKey extends Feature {
  readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new Secret(this, 'SigningSecret', {
      description: 'Appeal: key for link tokens and keyed hashes of IPs and erased addresses',
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'signingKey', passwordLength: 64, excludePunctuation: true },
    });
    acceptFinding(
      this.secret,
      'AwsSolutions-SMG4',
      'AwsSolutions-SMG4: the signing key is rotated by hand: automatic rotation would break every unsubscribe link already sent (README).',
    );
  }
}
