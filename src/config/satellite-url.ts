/**
 * `--satellite-url`: the documented form is `http(s)://host:port`. Rules (docs/configuration.md):
 * - scheme http or https; a host; an explicit port 1-65535 (no default port: a sidecar that silently sent
 *   to port 80 or 443 would look healthy and export nothing);
 * - an optional path prefix is kept (a satellite behind a proxy, docs/export.md), but not one that already
 *   ends with the path the sensor appends (/v1/traces, /1.0/ebpf/traces): give the base URL;
 * - no credentials, query or fragment.
 * Each refusal says which part is wrong. Returns the URL as given (trimmed); src/export/config.ts makes a URL of it without checking again.
 */
import { UsageError } from './usage-error.js';
import { quoted, text } from './values.js';

const EXPECTED = 'http(s)://host:port, e.g. http://satellite:9999';
/** Paths the exporters append to the URL (src/export/otlp-exporter.ts, levo-exporter.ts). */
const APPENDED_PATHS = ['/v1/traces', '/1.0/ebpf/traces'];

/** scheme :// authority rest; authority = [userinfo@]host[:port], host may be [IPv6]. */
const URL_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/;
const AUTHORITY = /^(?:([^@]*)@)?(\[[^\]]*\]|[^:]*)(?::(.*))?$/;

export function satelliteUrl(flag: string) {
  return (v: unknown): string => {
    const given = text(flag, EXPECTED, v).trim();
    const fail = (why: string): never => { throw new UsageError(`--${flag}: ${quoted(given)} ${why}`); };
    const parts = URL_PARTS.exec(given);
    if (!parts) return fail(`is not a URL; expected ${EXPECTED}`);
    const [, scheme, authority, rest] = parts;
    if (!/^https?$/i.test(scheme)) fail(`has scheme '${scheme}'; use http:// or https://`);
    const auth = AUTHORITY.exec(authority);
    if (!auth) return fail(`is not a URL; expected ${EXPECTED}`);
    const [, userinfo, host, port] = auth;
    if (userinfo !== undefined) fail('carries credentials; they are not supported in the URL');
    if (host === '' || host === '[]') fail(`has no host; expected ${EXPECTED}`);
    if (port === undefined || port === '') fail(`has no port; expected ${EXPECTED}`);
    if (!/^\d+$/.test(port!)) fail(`has port '${port}', not a number`);
    if (Number(port) < 1 || Number(port) > 65535) fail(`has port ${port}, out of range 1-65535`);
    if (/[?#]/.test(rest)) fail('has a query or fragment; give only http(s)://host:port and an optional path prefix');
    let url: URL;
    try {
      url = new URL(given);
    } catch {
      return fail(`has an invalid host '${host}'`);
    }
    const path = url.pathname.replace(/\/+$/, '');
    const appended = APPENDED_PATHS.find((p) => path.endsWith(p));
    if (appended) fail(`ends with ${appended}, which the sensor appends itself; give the base URL http(s)://host:port`);
    return given;
  };
}
