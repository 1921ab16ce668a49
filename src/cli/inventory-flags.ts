/**
 * The `inventory` flags. Input and policy flags are apidump's own definitions (src/cli/apidump-flags.ts:
 * same names, coercions and messages), with two changes: --pcap may be repeated, and --rate-limit is off
 * unless given. The rest is the inventory's: --exchanges, --out (default standard output), --format and the
 * caps (docs/inventory.md). Values come from the command line only: no LEVO_* variable, no config file.
 */
import type { Options } from 'yargs';
import { APIDUMP_OPTIONS, UsageError } from './apidump-flags.js';
import { nonEmpty, oneOf, wholeNumber } from '../config/values.js';
import { DEFAULT_LIMITS, type InventoryLimits } from '../inventory/types.js';

export const INVENTORY_FORMATS = ['table', 'json', 'openapi', 'html'] as const;
export type InventoryFormat = (typeof INVENTORY_FORMATS)[number];

/** A whole number >= 1 (a cap of 0 would keep nothing). */
function atLeastOne(flag: string) {
  const whole = wholeNumber(flag);
  return (v: unknown): number => {
    const n = whole(v);
    if (n < 1) throw new UsageError(`--${flag}: expected a whole number >= 1, got '${String(v)}'`);
    return n;
  };
}

const pcapItem = APIDUMP_OPTIONS.pcap.coerce;
const A = APIDUMP_OPTIONS;

export const INVENTORY_OPTIONS = {
  pcap: { ...A.pcap, array: true, default: [] as string[], coerce: (v: unknown) => (Array.isArray(v) ? v : [v]).map(pcapItem), describe: 'read packets from this pcap/pcapng file (repeatable)', group: 'Input:' },
  exchanges: { type: 'string' as const, requiresArg: true, coerce: nonEmpty('exchanges', "a JSON Lines file or '-'"), describe: "read exchanges from apidump's JSON Lines output ('-' = stdin)", group: 'Input:' },
  filter: { ...A.filter, group: 'Input:' },
  'stream-timeout-seconds': { ...A['stream-timeout-seconds'], group: 'Input:' },
  'max-http-length': { ...A['max-http-length'], group: 'Input:' },
  'host-allow': A['host-allow'],
  'path-allow': A['path-allow'],
  'host-exclusions': A['host-exclusions'],
  'path-exclusions': A['path-exclusions'],
  'exclude-user-agent': A['exclude-user-agent'],
  'rate-limit': { ...A['rate-limit'], default: 0, describe: 'exchanges per minute at most (default 0 = no limit)' },
  'rate-limit-per-endpoint': A['rate-limit-per-endpoint'],
  redaction: A.redaction,
  'redact-header': A['redact-header'],
  'redact-body-field': A['redact-body-field'],
  out: { type: 'string' as const, requiresArg: true, default: '-', coerce: nonEmpty('out', "a file path or '-'"), describe: "write the inventory to this file ('-' = stdout); openapi: YAML when it ends in .yaml/.yml", group: 'Output:' },
  format: { choices: INVENTORY_FORMATS, requiresArg: true, coerce: oneOf('format', INVENTORY_FORMATS), describe: 'table (default on a terminal), json (default otherwise), openapi, or html (default when --out ends in .html or .htm)', group: 'Output:' },
  'max-endpoints': { type: 'string' as const, requiresArg: true, default: String(DEFAULT_LIMITS.maxEndpoints), coerce: atLeastOne('max-endpoints'), describe: 'endpoints kept at most; exchanges of further endpoints are counted, not kept', group: 'Bounds:' },
  'param-threshold': { type: 'string' as const, requiresArg: true, default: String(DEFAULT_LIMITS.paramThreshold), coerce: atLeastOne('param-threshold'), describe: 'distinct literals at one path position before it becomes a parameter', group: 'Bounds:' },
} satisfies Record<string, Options>;

export interface InventoryConfig {
  pcap: string[];
  exchanges: string | undefined;
  filter: string | undefined;
  streamTimeoutSeconds: number;
  maxHttpLength: number;
  policy: {
    hostAllow: string[]; pathAllow: string[]; hostExclusions: string[]; pathExclusions: string[];
    excludeUserAgent: string[]; rateLimit: number; rateLimitPerEndpoint: number;
  };
  redaction: { enabled: boolean; extraHeaders: string[]; extraBodyFields: string[] };
  out: string;
  format: InventoryFormat;
  limits: Partial<InventoryLimits>;
}

/** Flags that only mean something when packets are read. */
const PCAP_ONLY = ['filter', 'stream-timeout-seconds', 'max-http-length'];

/**
 * The typed configuration; UsageError for a missing input, both inputs, or a packet flag with --exchanges.
 * `onCommandLine`: the flags given (defaults do not count); `stdoutIsTerminal` picks the default format.
 */
export function toInventoryConfig(a: Record<string, unknown>, onCommandLine: Set<string>, stdoutIsTerminal: boolean): InventoryConfig {
  const pcap = a.pcap as string[];
  const exchanges = a.exchanges as string | undefined;
  if (pcap.length === 0 && exchanges === undefined) throw new UsageError('nothing to read: give --pcap FILE (repeatable) or --exchanges FILE');
  if (pcap.length > 0 && exchanges !== undefined) throw new UsageError('--pcap and --exchanges exclude each other: read packets or exchanges');
  if (exchanges !== undefined) {
    const given = PCAP_ONLY.find((f) => onCommandLine.has(f));
    if (given !== undefined) throw new UsageError(`--${given}: applies to packets (--pcap), not to --exchanges`);
  }
  const out = a.out as string;
  return {
    pcap,
    exchanges,
    filter: a.filter as string | undefined,
    streamTimeoutSeconds: a['stream-timeout-seconds'] as number,
    maxHttpLength: a['max-http-length'] as number,
    policy: {
      hostAllow: a['host-allow'] as string[], pathAllow: a['path-allow'] as string[],
      hostExclusions: a['host-exclusions'] as string[], pathExclusions: a['path-exclusions'] as string[],
      excludeUserAgent: a['exclude-user-agent'] as string[],
      rateLimit: a['rate-limit'] as number, rateLimitPerEndpoint: a['rate-limit-per-endpoint'] as number,
    },
    redaction: { enabled: a.redaction === 'on', extraHeaders: a['redact-header'] as string[], extraBodyFields: a['redact-body-field'] as string[] },
    out,
    format: (a.format as InventoryFormat | undefined) ?? (/\.html?$/i.test(out) ? 'html' : out === '-' && stdoutIsTerminal ? 'table' : 'json'),
    limits: { maxEndpoints: a['max-endpoints'] as number, paramThreshold: a['param-threshold'] as number },
  };
}
