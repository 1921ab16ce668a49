/**
 * Header value redaction. What stays visible, by header kind:
 *  - Authorization, Proxy-Authorization: the scheme (`Bearer`, `Basic`, `Digest`,
 *    `AWS4-HMAC-SHA256`, ...) then the marker of everything after it: `Bearer [REDACTED:1a2b3c4d5e6f]`.
 *    A value without a scheme (a single word) becomes the marker alone.
 *  - Cookie: every cookie name, each value replaced by its own marker: `sid=[REDACTED:..]; theme=[REDACTED:..]`.
 *  - Set-Cookie: the cookie name and every attribute (Path, Expires, HttpOnly, ...); the value hidden.
 *  - any other redacted header: the marker alone.
 * An empty value stays empty (nothing to hide). Header names are not changed.
 */
import type { Fingerprinter } from './fingerprint.js';

export type HeaderKind = 'scheme' | 'cookie' | 'set-cookie' | 'opaque';

/** `<scheme><whitespace><credentials>`; the scheme is an HTTP token (RFC 9110 auth-scheme). */
const SCHEME_VALUE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]+(\S[\s\S]*)$/;

function redactSchemeValue(value: string, fp: Fingerprinter): string {
  const m = SCHEME_VALUE.exec(value.trim());
  if (m === null) return fp.marker(value.trim());
  return `${m[1]} ${fp.marker(m[2])}`;
}

/** `name=value` -> `name=<marker>`; a part without '=' is hidden whole. */
function redactCookiePair(pair: string, fp: Fingerprinter): string {
  const p = pair.trim();
  if (p.length === 0) return p;
  const eq = p.indexOf('=');
  if (eq < 0) return fp.marker(p);
  const value = p.slice(eq + 1).trim();
  return value.length === 0 ? p : `${p.slice(0, eq).trim()}=${fp.marker(value)}`;
}

function redactCookieValue(value: string, fp: Fingerprinter): string {
  const parts = value.split(';');
  for (let i = 0; i < parts.length; i++) parts[i] = redactCookiePair(parts[i], fp);
  return parts.filter((p) => p.length > 0).join('; ');
}

function redactSetCookieValue(value: string, fp: Fingerprinter): string {
  const semi = value.indexOf(';');
  const first = semi < 0 ? value : value.slice(0, semi);
  const attributes = semi < 0 ? '' : value.slice(semi);
  return redactCookiePair(first, fp) + attributes;
}

/** The redacted form of one header value of the given kind. */
export function redactHeaderValue(kind: HeaderKind, value: string, fp: Fingerprinter): string {
  if (value.trim().length === 0) return value;
  switch (kind) {
    case 'scheme': return redactSchemeValue(value, fp);
    case 'cookie': return redactCookieValue(value, fp);
    case 'set-cookie': return redactSetCookieValue(value, fp);
    case 'opaque': return fp.marker(value.trim());
  }
}
