/**
 * The `apidump` flags: names and defaults of the sensor being replaced, each validated at start-up so that
 * a bad value is refused with a message naming the flag. Every flag except --config and --print-config can
 * also come from an environment variable or the config file (src/config/, docs/configuration.md); the
 * coercions here run on every value whatever its source.
 */
import type { Options } from 'yargs';

/** Every value the composition root needs, typed and validated. */
export interface ApidumpConfig {
  pcap: string | undefined;
  interface: string[];
  filter: string | undefined;
  captureBufferSize: number;
  out: string | undefined;
  satelliteUrl: string | undefined;
  levoEnv: string | undefined;
  levoaiOrgId: string | undefined;
  traceExportInterval: string | undefined;
  exportFormat: 'otlp' | 'levo' | undefined;
  satelliteCa: string | undefined;
  rateLimit: number;
  rateLimitPerEndpoint: number;
  hostAllow: string[];
  pathAllow: string[];
  hostExclusions: string[];
  pathExclusions: string[];
  excludeUserAgent: string[];
  maxHttpLength: number;
  streamTimeoutSeconds: number;
  redaction: boolean;
  redactHeader: string[];
  redactBodyField: string[];
  statsInterval: number;
  logLevel: string;
  /** 0 = no metrics server. */
  metricsPort: number;
  metricsHost: string;
  healthCaptureStallSeconds: number;
  healthExportFailureSeconds: number;
}

/** A user error: printed as `Error: <message>` with exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

function nonNegativeInt(flag: string) {
  return (v: unknown): number => {
    const n = typeof v === 'number' ? v : Number(String(v).trim());
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${flag}: expected a whole number >= 0, got '${String(v)}'`);
    return n;
  };
}

function positiveNumber(flag: string) {
  return (v: unknown): number => {
    const n = typeof v === 'number' ? v : Number(String(v).trim());
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag}: expected a number > 0, got '${String(v)}'`);
    return n;
  };
}

function port(flag: string) {
  return (v: unknown): number => {
    const n = typeof v === 'number' ? v : Number(String(v).trim());
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${flag}: expected a port 0-65535 (0 = off), got '${String(v)}'`);
    return n;
  };
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };

/** Bytes, optionally with a binary unit: 67108864, 64MiB, 64m, 512KiB. */
function byteSize(flag: string) {
  return (v: unknown): number => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(v));
    const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
    if (!m || unit === undefined) throw new UsageError(`--${flag}: expected a size in bytes such as 67108864 or 64MiB, got '${String(v)}'`);
    return Math.round(Number(m[1]) * unit);
  };
}

/** A repeatable flag whose every value is one item (never comma-split); a config-file list is accepted as is. */
function list(flag: string) {
  return (v: unknown): string[] => {
    const arr = Array.isArray(v) ? v : v === undefined ? [] : [v];
    return arr.map((x) => {
      if (typeof x !== 'string' && typeof x !== 'number') throw new UsageError(`--${flag}: expected a string, got ${JSON.stringify(x)}`);
      return String(x);
    });
  };
}

const regexList = (flag: string) => ({
  type: 'string' as const,
  array: true,
  requiresArg: true,
  default: [] as string[],
  coerce: list(flag),
});

export const APIDUMP_OPTIONS = {
  pcap: { type: 'string', requiresArg: true, describe: 'read packets from this pcap/pcapng file instead of live interfaces', group: 'Capture:' },
  interface: { type: 'string', array: true, requiresArg: true, default: [] as string[], describe: 'live interface to capture (repeatable); default: every interface that is up and has an address', group: 'Capture:' },
  filter: { type: 'string', requiresArg: true, describe: "pcap-filter(7) BPF expression, e.g. 'port 8080 and (not port 8081)'", group: 'Capture:' },
  'capture-buffer-size': { type: 'string', default: '64MiB', coerce: byteSize('capture-buffer-size'), describe: 'kernel capture buffer per interface (live): holds bursts while the sensor is busy', group: 'Capture:' },
  'stream-timeout-seconds': { type: 'number', default: 10, coerce: positiveNumber('stream-timeout-seconds'), describe: 'seconds (packet time) to wait for a missing TCP segment before skipping it', group: 'Capture:' },
  'max-http-length': { type: 'number', default: 10_000_000, coerce: nonNegativeInt('max-http-length'), describe: 'bytes of each decoded body kept; longer bodies are cut and flagged truncated', group: 'Capture:' },

  out: { type: 'string', requiresArg: true, describe: "write exchanges as JSON Lines to this file ('-' = stdout)", group: 'Export:' },
  'satellite-url': { type: 'string', requiresArg: true, describe: 'where traces are sent: http(s)://host:port', group: 'Export:' },
  'levo-env': { type: 'string', requiresArg: true, default: 'staging', describe: 'environment the traces show up under', group: 'Export:' },
  'levoai-org-id': { type: 'string', requiresArg: true, describe: 'organization ID sent with every export', group: 'Export:' },
  'trace-export-interval': { type: 'string', requiresArg: true, default: '10', describe: 'seconds between exports: 10, 2.5, 10s, 500ms', group: 'Export:' },
  'export-format': { choices: ['otlp', 'levo'] as const, default: 'otlp', describe: 'satellite protocol: OTLP/HTTP or the satellite JSON', group: 'Export:' },
  'satellite-ca': { type: 'string', requiresArg: true, describe: 'PEM file of a CA to trust for an https satellite', group: 'Export:' },

  'rate-limit': { type: 'number', default: 1000, coerce: nonNegativeInt('rate-limit'), describe: 'traces per minute at most (0 = no limit)', group: 'Policy:' },
  'rate-limit-per-endpoint': { type: 'number', default: 0, coerce: nonNegativeInt('rate-limit-per-endpoint'), describe: 'traces per minute per endpoint at most (0 = off)', group: 'Policy:' },
  'host-allow': { ...regexList('host-allow'), describe: 'keep only hosts matching this regex (repeatable)', group: 'Policy:' },
  'path-allow': { ...regexList('path-allow'), describe: 'keep only paths matching this regex (repeatable)', group: 'Policy:' },
  'host-exclusions': { ...regexList('host-exclusions'), describe: 'drop hosts matching this regex (repeatable)', group: 'Policy:' },
  'path-exclusions': { ...regexList('path-exclusions'), describe: 'drop paths matching this regex (repeatable)', group: 'Policy:' },
  'exclude-user-agent': { ...regexList('exclude-user-agent'), describe: 'drop requests whose User-Agent matches this regex (repeatable)', group: 'Policy:' },

  redaction: { choices: ['on', 'off'], default: 'on', describe: 'hide credentials (headers, JSON/form fields) before anything leaves the process', group: 'Policy:' },
  'redact-header': { ...regexList('redact-header'), describe: 'another header name whose value is redacted (repeatable)', group: 'Policy:' },
  'redact-body-field': { ...regexList('redact-body-field'), describe: 'another JSON/form field name whose value is redacted (repeatable)', group: 'Policy:' },

  'stats-interval': { type: 'number', default: 60, coerce: positiveNumber('stats-interval'), describe: 'seconds between stats log lines', group: 'Logging:' },
  'log-level': { choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', describe: 'log level', group: 'Logging:' },

  'metrics-port': { type: 'number', default: 0, coerce: port('metrics-port'), describe: 'serve Prometheus text at /metrics and liveness at /healthz on this port (0 = off)', group: 'Observability:' },
  'metrics-host': { type: 'string', default: '127.0.0.1', requiresArg: true, describe: 'address of the metrics server (0.0.0.0 to be scraped from outside the task)', group: 'Observability:' },
  'health-capture-stall-seconds': { type: 'number', default: 60, coerce: positiveNumber('health-capture-stall-seconds'), describe: 'unhealthy when the kernel holds packets the capture loop has not delivered for this long (live)', group: 'Observability:' },
  'health-export-failure-seconds': { type: 'number', default: 300, coerce: positiveNumber('health-export-failure-seconds'), describe: 'unhealthy when every satellite export attempt has failed for this long', group: 'Observability:' },

  config: { type: 'string', requiresArg: true, describe: 'YAML config file (keys = flag names); default /etc/levo/config/pcap-sensor/config.yaml when present', group: 'Configuration:' },
  'print-config': { type: 'boolean', default: false, describe: 'print the effective configuration (secrets masked) as JSON and exit', group: 'Configuration:' },
} satisfies Record<string, Options>;

/** Turns parsed yargs arguments into the typed configuration (after yargs applied coercions). */
export function toApidumpConfig(a: Record<string, unknown>): ApidumpConfig {
  return {
    pcap: a.pcap as string | undefined,
    interface: list('interface')(a.interface),
    filter: a.filter as string | undefined,
    captureBufferSize: a['capture-buffer-size'] as number,
    out: a.out as string | undefined,
    satelliteUrl: a['satellite-url'] as string | undefined,
    levoEnv: a['levo-env'] as string | undefined,
    levoaiOrgId: a['levoai-org-id'] as string | undefined,
    traceExportInterval: a['trace-export-interval'] === undefined ? undefined : String(a['trace-export-interval']),
    exportFormat: a['export-format'] as 'otlp' | 'levo' | undefined,
    satelliteCa: a['satellite-ca'] as string | undefined,
    rateLimit: a['rate-limit'] as number,
    rateLimitPerEndpoint: a['rate-limit-per-endpoint'] as number,
    hostAllow: a['host-allow'] as string[],
    pathAllow: a['path-allow'] as string[],
    hostExclusions: a['host-exclusions'] as string[],
    pathExclusions: a['path-exclusions'] as string[],
    excludeUserAgent: a['exclude-user-agent'] as string[],
    maxHttpLength: a['max-http-length'] as number,
    streamTimeoutSeconds: a['stream-timeout-seconds'] as number,
    redaction: a.redaction !== 'off',
    redactHeader: a['redact-header'] as string[],
    redactBodyField: a['redact-body-field'] as string[],
    statsInterval: a['stats-interval'] as number,
    logLevel: a['log-level'] as string,
    metricsPort: a['metrics-port'] as number,
    metricsHost: a['metrics-host'] as string,
    healthCaptureStallSeconds: a['health-capture-stall-seconds'] as number,
    healthExportFailureSeconds: a['health-export-failure-seconds'] as number,
  };
}
