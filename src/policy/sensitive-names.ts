/**
 * The default lists of what redaction hides, and how names are compared.
 *
 * Header names compare case-insensitively (lower-cased). Body field and query/form parameter names
 * compare "loosely": lower-cased with '-' and '_' removed, so `access_token`, `accessToken` and
 * `Access-Token` are the same name. Matching is by exact (normalised) name, not by substring:
 * `token` hides the field `token`, not `tokenizer` nor `csrf_token_count`.
 */

/** Headers whose values are credentials. Authorization-style ones keep their scheme (see below). */
export const DEFAULT_REDACTED_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'apikey',
  'x-auth-token',
  'x-access-token',
  'x-refresh-token',
  'x-session-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-amz-security-token',
  'x-goog-api-key',
  'x-vault-token',
  'x-functions-key',
  'ocp-apim-subscription-key',
  'private-token',
];

/** Headers whose value is `<scheme> <credentials>`: the scheme stays visible. */
export const SCHEME_HEADERS: readonly string[] = ['authorization', 'proxy-authorization'];

/** Headers holding `name=value; name=value` cookie pairs: names stay, values are hidden. */
export const COOKIE_HEADER = 'cookie';
/** `name=value; Attr; Attr=x`: the first pair's value is hidden, attributes stay. */
export const SET_COOKIE_HEADER = 'set-cookie';

/** JSON body fields, form fields and query parameters whose values are hidden (as written here). */
export const DEFAULT_REDACTED_FIELDS: readonly string[] = [
  'password',
  'passwd',
  'pwd',
  'new_password',
  'old_password',
  'secret',
  'client_secret',
  'api_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'session_token',
  'auth_token',
  'api_key',
  'apikey',
  'private_key',
  'authorization',
  'credentials',
  'x-amz-security-token',
  'x-amz-signature',
  'sig',
  'signature',
];

/** Lower-case header name. */
export function normaliseHeaderName(name: string): string {
  return name.toLowerCase();
}

/** Lower-case, '-' and '_' removed (see the file comment). */
export function normaliseFieldName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}
