/**
 * The auth scheme a request header or query parameter shows, never its credential:
 *  - Authorization / Proxy-Authorization: the scheme word (`Bearer`, `Basic`, `Digest`, ...), as the
 *    redaction keeps it visible (src/policy/redact-headers.ts); a value without a scheme gives `token`;
 *  - an API-key header (the credential headers of src/policy/sensitive-names.ts other than Authorization
 *    and cookies): `header:<name>`;
 *  - a query parameter of that kind (`api_key`, `apikey`, `access_token`, `token`, ...): `query:<name>`.
 */
import { DEFAULT_REDACTED_HEADERS, normaliseFieldName, SCHEME_HEADERS } from '../policy/sensitive-names.js';

const NOT_API_KEY = new Set([...SCHEME_HEADERS, 'cookie', 'set-cookie', 'x-csrf-token', 'x-xsrf-token']);
const API_KEY_HEADERS = new Set(DEFAULT_REDACTED_HEADERS.filter((h) => !NOT_API_KEY.has(h)));
const API_KEY_PARAMS = new Set(['apikey', 'key', 'accesstoken', 'token', 'authtoken']);
/** Schemes written in their registered spelling whatever the case sent; others as sent. */
const KNOWN_SCHEMES = new Map(['Bearer', 'Basic', 'Digest', 'Negotiate', 'NTLM', 'HOBA', 'Mutual', 'DPoP'].map((s) => [s.toLowerCase(), s]));
const SCHEME = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]+\S/;

/** `name` lower-cased (a query parameter prefixed with `?`), `value` as sent (or redacted). */
export function authSchemes(name: string, value: string): string[] {
  if (name.startsWith('?')) {
    const p = name.slice(1);
    return API_KEY_PARAMS.has(normaliseFieldName(p)) ? [`query:${p}`] : [];
  }
  if (SCHEME_HEADERS.includes(name)) {
    const m = SCHEME.exec(value.trim());
    if (m === null) return value.trim() === '' ? [] : ['token'];
    return [KNOWN_SCHEMES.get(m[1].toLowerCase()) ?? m[1]];
  }
  return API_KEY_HEADERS.has(name) ? [`header:${name}`] : [];
}
