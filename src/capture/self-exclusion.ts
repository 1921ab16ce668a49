/**
 * Self-exclusion: the sensor must never capture its own export traffic, otherwise every export
 * becomes new traffic to export and the sensor feeds on itself.
 *
 * Contract:
 *  - exportEndpointsFromUrls(urls): the host and port of each export URL (satellite, OTLP collector);
 *    the port defaults to the scheme's (http 80, https 443).
 *  - resolveExcludedEndpoints(endpoints): resolves each host name ONCE (dns.lookup, all addresses,
 *    IPv4 and IPv6); an IP literal is used as is. A name that does not resolve is excluded by port
 *    alone (`tcp port P` on every host), logged as a warning: over-excluding one port is safer
 *    than feeding on ourselves.
 *  - buildCaptureFilter(userFilter, excluded): `(<user filter>) and not (host A and tcp port P) and ...`.
 *
 * Limits (documented in docs/capture.md): a DNS change after start is not followed (the old
 * addresses stay excluded, new ones are captured); with a proxy in between, what is excluded is
 * the proxy's address and port (the name in the URL), never the satellite behind it; other
 * traffic of the application to that same address and port is excluded too.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface ExportEndpoint {
  /** Host name or IP literal as written in the URL (IPv6 without brackets). */
  host: string;
  port: number;
}

export interface ExcludedEndpoint {
  /** The name it came from (for logs). */
  host: string;
  /** IP address to exclude, or null when the name did not resolve (port-only exclusion). */
  address: string | null;
  port: number;
}

/** Subset of dns.promises.lookup used here (injectable for tests). */
export type LookupAll = (host: string, options: { all: true }) => Promise<Array<{ address: string; family: number }>>;

interface WarnLog {
  warn(obj: object, msg: string): void;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** Host and port of each URL; throws TypeError naming the URL when it cannot be parsed. */
export function exportEndpointsFromUrls(urls: string[]): ExportEndpoint[] {
  const out: ExportEndpoint[] = [];
  for (const raw of urls) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new TypeError(`cannot exclude export traffic: '${raw}' is not a URL (expected http(s)://host:port)`);
    }
    const port = url.port !== '' ? Number(url.port) : DEFAULT_PORTS[url.protocol];
    if (port === undefined) {
      throw new TypeError(`cannot exclude export traffic: '${raw}' has no port and an unknown scheme ${url.protocol}`);
    }
    // URL keeps IPv6 literals in brackets
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    out.push({ host, port });
  }
  return out;
}

/** Resolves every endpoint once; addresses are de-duplicated per (address, port). */
export async function resolveExcludedEndpoints(
  endpoints: ExportEndpoint[],
  log?: WarnLog,
  lookup: LookupAll = dnsLookup as LookupAll,
): Promise<ExcludedEndpoint[]> {
  const out: ExcludedEndpoint[] = [];
  const seen = new Set<string>();
  const add = (e: ExcludedEndpoint): void => {
    const key = `${e.address ?? '*'}|${e.port}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(e);
  };
  for (const ep of endpoints) {
    checkPort(ep);
    if (isIP(ep.host) !== 0) {
      add({ host: ep.host, address: ep.host, port: ep.port });
      continue;
    }
    let addresses: Array<{ address: string }> = [];
    try {
      addresses = await lookup(ep.host, { all: true });
    } catch (err) {
      log?.warn({ host: ep.host, port: ep.port, err: (err as Error).message },
        'export host does not resolve: excluding its port on every host from capture');
    }
    if (addresses.length === 0) {
      add({ host: ep.host, address: null, port: ep.port });
      continue;
    }
    for (const a of addresses) add({ host: ep.host, address: a.address, port: ep.port });
  }
  return out;
}

/**
 * The BPF expression actually installed: the user's filter (parenthesised, may be empty) and one
 * `not (...)` clause per excluded endpoint. Returns '' when there is nothing to filter.
 */
export function buildCaptureFilter(userFilter: string | undefined, excluded: ExcludedEndpoint[]): string {
  const user = userFilter?.trim() ?? '';
  const clauses: string[] = [];
  for (const e of excluded) {
    clauses.push(e.address === null ? `not (tcp port ${e.port})` : `not (host ${e.address} and tcp port ${e.port})`);
  }
  if (user === '') return clauses.join(' and ');
  if (clauses.length === 0) return user;
  return `(${user}) and ${clauses.join(' and ')}`;
}

function checkPort(ep: ExportEndpoint): void {
  if (!Number.isInteger(ep.port) || ep.port < 1 || ep.port > 65535) {
    throw new TypeError(`cannot exclude export traffic to ${ep.host}: port ${ep.port} is not 1-65535`);
  }
}
