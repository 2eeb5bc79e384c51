import { createHash } from 'node:crypto';

/**
 * The embed script's identity, from its exact bytes (UTF-8): the Subresource Integrity value a site puts in its
 * `integrity` attribute (SHA-384, as the SRI spec recommends) and a short version (the start of its SHA-256) that
 * names this build in its URL (`/v1/embed.js?v=…`) and its ETag. The function serves these bytes and the admin CLI
 * hashes what the API serves with the same code, so the snippet and the script cannot disagree.
 */
export interface ScriptIdentity {
  bytes: Buffer;
  integrity: string;
  version: string;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

export const scriptIdentity = (script: string | Uint8Array): ScriptIdentity => {
  const bytes = typeof script === 'string' ? Buffer.from(script, 'utf8') : Buffer.from(script);
  return {
    bytes,
    integrity: `sha384-${createHash('sha384').update(bytes).digest('base64')}`,
    version: sha256(bytes),
  };
};

/**
 * The widget's words, one JSON document per language (`GET /v1/embed.js?messages={lang}`), and their version: the
 * start of the SHA-256 of all of them, which the script is built with and asks for (`?v=`), so that a script and
 * the words it was built with are cached together and change together. The build (web/embed/build.ts) and the
 * function compute it with this code from the same catalogues' `widget` sections.
 */
export interface MessagesIdentity {
  version: string;
  /** Each language's words as served (UTF-8 JSON). */
  bodies: ReadonlyMap<string, Buffer>;
}

export const messagesIdentity = (messages: Readonly<Record<string, unknown>>): MessagesIdentity => ({
  version: sha256(Buffer.from(JSON.stringify(messages), 'utf8')),
  bodies: new Map(Object.entries(messages).map(([language, words]) => [language, Buffer.from(JSON.stringify(words), 'utf8')])),
});
