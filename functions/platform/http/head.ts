/** What headAnswer needs of a Lambda answer (HttpResponse, and the embed function's own). */
interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body?: string | undefined;
  isBase64Encoded?: boolean | undefined;
}

/**
 * The answer to a HEAD request, from the answer GET gets: the same status and headers, no content (RFC 9110
 * §9.3.2). Content-Length is the length of the content GET sends, in bytes as sent (a base64 body decoded), as
 * §8.6 asks of a HEAD answer; 204 and 304 answers carry none (§8.6 again). It imports nothing: the embed function,
 * which does without the rest of platform/http/, uses it too.
 */
export const headAnswer = <T extends Answer>(answer: T): T => {
  const headers = { ...answer.headers };
  if (answer.statusCode !== 204 && answer.statusCode !== 304) {
    headers['content-length'] = String(Buffer.byteLength(answer.body ?? '', answer.isBase64Encoded ? 'base64' : 'utf8'));
  }
  return { ...answer, headers, body: '', isBase64Encoded: false };
};
