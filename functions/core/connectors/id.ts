/** A connector's id (`cn_…`), which a delivery to a newsletter tool carries where a webhook's carries its endpoint's. */
export const isConnectorId = (id: string) => id.startsWith('cn_');
