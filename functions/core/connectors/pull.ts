import type { Clock } from '../shared/ports.js';
import type { Connector, ConnectorStore } from './admin.js';
import { ConnectorError } from './model.js';
import { type ConnectorSyncDeps, markSaidNo } from './sync.js';

/**
 * How far back each run looks past the previous one's start: listmonk stamps a change with its own clock, and a
 * change committed while the last run read is stamped before that run's start. Repeating a few minutes costs
 * nothing (an address already unsubscribed in Appeal is left as it is).
 */
export const PULL_OVERLAP_MS = 5 * 60_000;

export interface PullRefusalsDeps extends Pick<ConnectorSyncDeps, 'clock' | 'connectorFor' | 'subscribers'> {
  clock: Clock;
  connectors: Pick<ConnectorStore, 'list' | 'savePulledUntil'>;
}

/** What one connector's pull came to: the counts only (never an address), for the job's log line. */
export type PullOutcome =
  | { connector: string; outcome: 'pulled'; refusals: number; unsubscribed: number; pulledUntil: string }
  | { connector: string; outcome: 'retry_later' }
  | { connector: string; outcome: 'refused'; status: number };

/**
 * The scheduled pull of the "no"s said in listmonk, which has no webhooks: for each listmonk connector, the addresses
 * unsubscribed from its lists or blocklisted since the connector's cursor (on the first run, since the connector was
 * added), each marked unsubscribed in Appeal if Appeal holds them pending or confirmed (an address Appeal does not
 * hold is ignored: nothing is created), then the cursor moved to this run's start, less PULL_OVERLAP_MS. Running
 * twice changes nothing: a record already unsubscribed is left alone, and the cursor only moves forward.
 *
 * A tool that is busy or down (`retry_later`), or that refuses the request (ConnectorError: its credentials), leaves
 * its cursor where it was, so the next run asks again from there; the other connectors are pulled all the same.
 * Any other error (the table) fails the run, which the next run repeats.
 */
export const pullRefusals = async (deps: PullRefusalsDeps): Promise<PullOutcome[]> => {
  const outcomes: PullOutcome[] = [];
  for (const connector of await deps.connectors.list()) {
    if (connector.settings.kind !== 'listmonk') continue;
    outcomes.push(await pullOne(deps, connector));
  }
  return outcomes;
};

const pullOne = async (deps: PullRefusalsDeps, connector: Connector): Promise<PullOutcome> => {
  const startedAt = deps.clock.now().getTime();
  const since = connector.pulledUntil ?? connector.createdAt;
  const tool = await deps.connectorFor(connector);
  if (!tool.pullRefusals) return { connector: connector.id, outcome: 'pulled', refusals: 0, unsubscribed: 0, pulledUntil: since };
  let pulled: Awaited<ReturnType<NonNullable<typeof tool.pullRefusals>>>;
  try {
    pulled = await tool.pullRefusals(since);
  } catch (error) {
    if (error instanceof ConnectorError) return { connector: connector.id, outcome: 'refused', status: error.status };
    throw error;
  }
  if ('outcome' in pulled) return { connector: connector.id, outcome: 'retry_later' };
  const addresses = [...new Set([...pulled.unsubscribed, ...pulled.blocklisted].map((email) => email.toLowerCase()))];
  let unsubscribed = 0;
  for (const email of addresses) if (await markSaidNo(deps, email)) unsubscribed += 1;
  // Never behind where the run began (a connector added moments ago): the store moves the cursor only forward.
  const until = new Date(Math.max(startedAt - PULL_OVERLAP_MS, Date.parse(since))).toISOString();
  await deps.connectors.savePulledUntil(connector.id, until);
  return { connector: connector.id, outcome: 'pulled', refusals: addresses.length, unsubscribed, pulledUntil: until };
};
