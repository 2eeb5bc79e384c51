import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { ApiMapping, type CfnStage, CorsHttpMethod, DomainName, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, SecurityPolicy } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ARecord, type IHostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import type { Construct } from 'constructs';
import { FallbackConfig } from '../../functions/configs.js';
import { type FunctionName, ROUTES, routeKey } from '../../functions/platform/routes.js';
import type { StageConfig } from '../config.js';
import { acceptFinding } from '../nag.js';
import { AppFunction } from './app-function.js';
import { Feature } from './feature.js';
import { API_ACCESS_LOG_FIELDS } from './monitoring.js';
import { type DnsRecord, hostedZoneOf, zoneFor } from './dns.js';
import { brandEnvironment } from './site.js';

export interface PublicApiProps {
  config: StageConfig;
}

/**
 * The HTTP API the site's pages, the emails' links and Stripe call: CORS for the site's origins, one stage with
 * throttling and a JSON access log, the routes of the route table, and a catch-all that answers any other request
 * 404 or 405 in the contract's format.
 */
export class PublicApi extends Feature {
  readonly httpApi: HttpApi;
  /** The base of the links in pages and emails: the stage's custom domain, else the API's own endpoint. */
  readonly url: string;
  /** The access log: one JSON object per request (API_ACCESS_LOG_FIELDS). */
  readonly accessLogs: LogGroup;
  /** The catch-all route's function. */
  readonly functions: { fallback: AppFunction };
  /**
   * The stage's custom domain (`domainName`), when it has one: the record that points it at the API, and the hosted
   * zone the stack wrote it into (else the engineer creates it).
   */
  readonly customDomain?: { record: DnsRecord; zone?: IHostedZone };

  constructor(scope: Construct, id: string, { config }: PublicApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: `Appeal public API (${config.stage})`,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: config.siteOrigins,
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
        allowHeaders: ['content-type'],
        maxAge: Duration.minutes(10),
      },
    });
    this.url = config.publicApiUrl ?? (config.domainName ? `https://${config.domainName}` : this.httpApi.apiEndpoint);

    const fallback = new AppFunction(this, 'FallbackFunction', {
      entry: 'fallback',
      description: 'Catch-all route: 404 and 405 in the contract format',
      memorySize: 256,
      config: FallbackConfig,
      environment: () => brandEnvironment(config),
    });
    this.functions = { fallback };

    this.accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.THREE_MONTHS });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.throttle.rateLimit, burstLimit: config.throttle.burstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(this.accessLogs), format: AccessLogFormat.custom(JSON.stringify(API_ACCESS_LOG_FIELDS)) },
    });
    (stage.node.defaultChild as CfnStage).addPropertyOverride('RouteSettings', routeThrottling(config.throttle));
    if (config.domainName) this.customDomain = this.addCustomDomain(config.domainName, hostedZoneOf(this, config), stage);
  }

  /**
   * `domainName` in front of the API's stage: a regional certificate (ACM, DNS-validated: through the hosted zone
   * when the stage names one, else the deploy waits until the engineer creates the validation record), an API
   * Gateway custom domain with TLS 1.2, the mapping of its root to the stage, and in the zone the alias record.
   */
  private addCustomDomain(domainName: string, hostedZone: IHostedZone | undefined, stage: HttpStage) {
    const zone = zoneFor(hostedZone, domainName);
    const certificate = new Certificate(this, 'ApiCertificate', {
      domainName,
      validation: zone ? CertificateValidation.fromDns(zone) : CertificateValidation.fromDns(),
    });
    const domain = new DomainName(this, 'ApiDomainName', { domainName, certificate, securityPolicy: SecurityPolicy.TLS_1_2 });
    new ApiMapping(this, 'ApiMapping', { api: this.httpApi, domainName: domain, stage });
    if (zone) {
      new ARecord(this, 'ApiAliasRecord', {
        zone,
        recordName: domainName,
        target: RecordTarget.fromAlias(new ApiGatewayv2DomainProperties(domain.regionalDomainName, domain.regionalHostedZoneId)),
      });
    }
    // Outside Route 53 a CNAME does it (an apex name needs the DNS host's own alias or flattening record).
    const record: DnsRecord = zone
      ? { name: domainName, type: 'A', value: `ALIAS ${domain.regionalDomainName}` }
      : { name: domainName, type: 'CNAME', value: domain.regionalDomainName };
    return { record, ...(zone ? { zone } : {}) };
  }

  /**
   * Every route of the route table (functions/platform/routes.ts) to the function that serves it, and any other
   * request to the fallback. Call it once, after every function's grants: it answers the nag findings of the
   * routes and of the functions they invoke.
   */
  addRoutes(handlers: Record<FunctionName, AppFunction>) {
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of ROUTES) {
      let integration = integrations.get(route.fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.fn}Integration`, handlers[route.fn].fn);
        integrations.set(route.fn, integration);
      }
      this.httpApi.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    }
    this.httpApi.addRoutes({ path: '/{proxy+}', methods: [HttpMethod.ANY], integration: new HttpLambdaIntegration('FallbackIntegration', this.functions.fallback.fn) });

    acceptFinding(
      this.httpApi,
      'AwsSolutions-APIG4',
      'AwsSolutions-APIG4: the public routes are anonymous by design (signup, links in emails, the Stripe webhook, which checks its signature); admin routes check bearer tokens in the function.',
    );
    for (const fn of new Set([...ROUTES.map((route) => handlers[route.fn]), this.functions.fallback])) {
      acceptFinding(
        fn,
        'Serverless-LambdaDLQ',
        'Serverless-LambdaDLQ: API Gateway invokes this function synchronously, and a dead-letter queue only catches asynchronous invocations; a failure answers the client 5xx (Stripe retries a webhook for 3 days).',
      );
    }
  }
}

/**
 * Route throttling (the limits and their reasons are in infra/config.ts). Every route has a bucket of its own; one
 * listed here overrides the stage default. The Stripe webhook's is separate from every public route's.
 */
const routeThrottling = (throttle: StageConfig['throttle']) => {
  const limit = (rate: number, burst: number) => ({ ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst });
  const signupLimit = limit(throttle.signupRateLimit, throttle.signupBurstLimit);
  const checkoutLimit = limit(throttle.checkoutRateLimit, throttle.checkoutBurstLimit);
  const routeSettings: Record<string, ReturnType<typeof limit>> = {
    'POST /v1/subscriptions': signupLimit,
    'GET /v1/subscriptions/thanks': signupLimit, // a form signup without JavaScript lands here
    'GET /v1/campaigns/{campaignId}': limit(throttle.campaignRateLimit, throttle.campaignBurstLimit),
    // The embed's script loads with the banner on the same page views (then stays cached): the campaign's limits.
    'GET /v1/embed.js': limit(throttle.campaignRateLimit, throttle.campaignBurstLimit),
    'POST /v1/donations/checkout': checkoutLimit,
    'GET /v1/donate': checkoutLimit,
    'GET /v1/donate/thanks': checkoutLimit,
    'POST /v1/stripe/webhook': limit(throttle.webhookRateLimit, throttle.webhookBurstLimit),
    'POST /v1/events': limit(throttle.eventsRateLimit, throttle.eventsBurstLimit),
    'POST /v1/connectors/{connectorId}/mailchimp': limit(throttle.connectorWebhookRateLimit, throttle.connectorWebhookBurstLimit),
    // Mailchimp checks the URL with a GET once, when it is saved.
    'GET /v1/connectors/{connectorId}/mailchimp': limit(1, throttle.headBurstLimit),
    // A donor cancelling Gift Aid from a receipt: as rare as a reminder's unsubscribe, at its limits.
    'GET /v1/donations/gift-aid': limit(throttle.reminderRateLimit, throttle.reminderBurstLimit),
    'POST /v1/donations/gift-aid': limit(throttle.reminderRateLimit, throttle.reminderBurstLimit),
    // A giving statement's link, from the yearly email sent at SES's pace and opened over days; each visit reads the
    // donor's gifts: the reminders' limits too.
    'GET /v1/donations/statement': limit(throttle.reminderRateLimit, throttle.reminderBurstLimit),
    ...Object.fromEntries(
      ROUTES.filter((route) => route.method === 'HEAD').map((route) => [routeKey(route), limit(throttle.headRateLimit, throttle.headBurstLimit)]),
    ),
    ...Object.fromEntries(
      ROUTES.filter((route) => route.path.startsWith('/v1/reminders') && route.method !== 'HEAD').map((route) => [routeKey(route), limit(throttle.reminderRateLimit, throttle.reminderBurstLimit)]),
    ),
    ...Object.fromEntries(
      // Every route of the admin API, whichever function serves it (the webhooks API's too).
      ROUTES.filter((route) => route.fn === 'admin' || (route.fn === 'webhooks' && route.path.startsWith('/v1/admin/'))).map((route) => [
        routeKey(route),
        limit(throttle.adminRateLimit, throttle.adminBurstLimit),
      ]),
    ),
    // The console serves a newsroom's few editors: each of its routes takes the console's limits (its HEAD pages
    // keep the HEAD limits of every page), and its API routes (`/v1/admin/…`, used by scripts too) the admin API's.
    ...Object.fromEntries(
      ROUTES.filter((route) => route.fn === 'console' && (route.method !== 'HEAD' || route.path.startsWith('/v1/admin/'))).map((route) => [
        routeKey(route),
        route.path.startsWith('/v1/admin/') ? limit(throttle.adminRateLimit, throttle.adminBurstLimit) : limit(throttle.consoleRateLimit, throttle.consoleBurstLimit),
      ]),
    ),
  };
  const known = new Set(ROUTES.map(routeKey));
  const unknown = Object.keys(routeSettings).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new Error(`route throttling names routes that do not exist: ${unknown.join(', ')}`);
  return routeSettings;
};
