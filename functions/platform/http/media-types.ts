export const JSON_TYPE = 'application/json';
export const FORM_TYPE = 'application/x-www-form-urlencoded';
/** Accepted only where a route says so (RFC 8058's one-click POST may be multipart). */
export const MULTIPART_TYPE = 'multipart/form-data';

/** The media type of a Content-Type header, lower case, without its parameters; '' when there is none. */
export const mediaType = (contentType: string | undefined) => contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
