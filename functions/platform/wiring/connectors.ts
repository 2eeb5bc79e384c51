import { DynamoConnectors } from '../../adapters/dynamo-connectors.js';
import { DynamoDonorLedger } from '../../adapters/dynamo-donor-ledger.js';
import { DynamoErasedAddresses } from '../../adapters/dynamo-erased-addresses.js';
import type { Connector } from '../../core/connectors/admin.js';
import type { NewsletterConnector } from '../../core/connectors/model.js';
import type { OutboundHttp } from '../../core/shared/outbound-http.js';
import type { Keys } from '../../core/shared/secrets.js';
import type { documentClient } from '../clients.js';

type DocumentClient = ReturnType<typeof documentClient>;

// Apart from the webhooks' own wiring (webhooks.ts): the functions that serve plain webhooks most of the time load
// this only when a connector's work comes.

/** The connectors (settings and secrets sealed under the token key, bound to each connector). */
export const connectorStore = (dynamo: DocumentClient, table: string, keys: Pick<Keys, 'token'>) => new DynamoConnectors(dynamo, table, keys.token);

/**
 * A newsletter tool's client per connector, built on first use and then reused (Mailchimp's connection limit is kept
 * per client). Each tool's code is loaded only when a delivery to it comes (most invocations deliver webhooks only).
 */
export const connectorClients = (http: OutboundHttp) => {
  const built = new Map<string, Promise<NewsletterConnector>>();
  const build = async ({ settings }: Connector): Promise<NewsletterConnector> => {
    if (settings.kind === 'mailchimp') {
      const { MailchimpConnector } = await import('../../adapters/mailchimp-connector.js');
      return new MailchimpConnector({ apiKey: settings.apiKey, listId: settings.list, ...(settings.apiUrl ? { apiUrl: settings.apiUrl } : {}) }, http);
    }
    const { ListmonkConnector } = await import('../../adapters/listmonk-connector.js');
    return new ListmonkConnector({ url: settings.url, username: settings.username, token: settings.token, lists: settings.lists }, http);
  };
  return (connector: Connector) => {
    let client = built.get(connector.id);
    if (!client) {
      client = build(connector);
      built.set(connector.id, client);
      client.catch(() => built.delete(connector.id));
    }
    return client;
  };
};

/** The erased addresses the connectors' deliveries still need, sealed under the key the connectors' secrets are. */
export const erasedAddresses = (dynamo: DocumentClient, table: string, keys: Pick<Keys, 'token'>) => new DynamoErasedAddresses(dynamo, table, keys.token);

/** Each donor's gifts and monthly gifts, for the status the newsletter tools carry. */
export const donorLedger = (dynamo: DocumentClient, table: string) => new DynamoDonorLedger(dynamo, table);
