import type { Connector, ConnectorStore } from '../../functions/core/connectors/admin.js';

/** An in-memory ConnectorStore: the same interface and conditions as the DynamoDB adapter. */
export class MemoryConnectors implements ConnectorStore {
  readonly items = new Map<string, Connector>();
  async create(connector: Connector) {
    if (this.items.has(connector.id)) throw new Error('exists');
    this.items.set(connector.id, structuredClone(connector));
  }
  async get(id: string) {
    const found = this.items.get(id);
    return found && structuredClone(found);
  }
  async list() {
    return [...this.items.values()].map((c) => structuredClone(c));
  }
  async remove(id: string) {
    return this.items.delete(id);
  }
  async savePulledUntil(id: string, until: string) {
    const found = this.items.get(id);
    if (found && (!found.pulledUntil || found.pulledUntil < until)) found.pulledUntil = until;
  }
}
