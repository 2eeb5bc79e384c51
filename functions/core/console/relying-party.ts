/** The relying party: the API's own origin, whose host name is the passkeys' scope. */
export interface RelyingParty {
  origin: string;
  id: string;
  name: string;
}

export const relyingParty = (apiBaseUrl: string, name: string): RelyingParty => {
  const url = new URL(apiBaseUrl);
  return { origin: url.origin, id: url.hostname, name };
};
