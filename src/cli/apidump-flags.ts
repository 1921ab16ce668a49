/**
 * The `apidump` flags: names and defaults of the sensor being replaced, each validated at start-up so that
 * a bad value is refused with a message naming the flag. Every flag except --config and --print-config can
 * also come from an environment variable or the config file (src/config/, docs/configuration.md); the
 * coercions here run on every value whatever its source.
 */
import type { Options } from 'yargs';
import { byteSize, list, listenPort, nonEmpty, positiveNumber, traceExportInterval, wholeNumber } from '../config/values.js';
import { satelliteUrl } from '../config/satellite-url.js';
import { choiceFlag, listFlag, valueFlag } from '../config/flag-options.js';
import { bpfFilter } from '../config/bpf-filter.js';
import { regexList } from '../config/regex-list.js';
import { UsageError } from '../config/usage-error.js';
import { MIN_CAPTURE_BUFFER_BYTES } from '../capture/live-capture-set.js';

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
  /** --trace-export-interval in whole milliseconds. */
  exportIntervalMs: number;
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

export { UsageError };

export const APIDUMP_OPTIONS = {
  pcap: { ...valueFlag(nonEmpty('pcap', 'a capture file')), describe: 'read packets from this pcap/pcapng file instead of live interfaces', group: 'Capture:' },
  interface: { ...listFlag('interface'), describe: 'live interface to capture (repeatable); default: every interface that is up and has an address', group: 'Capture:' },
  filter: { ...valueFlag(bpfFilter('filter')), describe: "pcap-filter(7) BPF expression, e.g. 'port 8080 and (not port 8081)'", group: 'Capture:' },
  'capture-buffer-size': { ...valueFlag(byteSize('capture-buffer-size')), default: '64MiB', describe: 'kernel capture buffer per interface (live): holds bursts while the sensor is busy', group: 'Capture:' },
  'stream-timeout-seconds': { ...valueFlag(positiveNumber('stream-timeout-seconds')), default: 10, describe: 'seconds (packet time) to wait for a missing TCP segment before skipping it', group: 'Capture:' },
  'max-http-length': { ...valueFlag(wholeNumber('max-http-length')), default: 10_000_000, describe: 'bytes of each decoded body kept; longer bodies are cut and flagged truncated', group: 'Capture:' },

  out: { ...valueFlag(nonEmpty('out', "a file path or '-'")), describe: "write exchanges as JSON Lines to this file ('-' = stdout)", group: 'Export:' },
  'satellite-url': { ...valueFlag(satelliteUrl('satellite-url')), describe: 'where traces are sent: http(s)://host:port', group: 'Export:' },
  'levo-env': { ...valueFlag(nonEmpty('levo-env', 'an environment name')), default: 'staging', describe: 'environment the traces show up under', group: 'Export:' },
  'levoai-org-id': { ...valueFlag(nonEmpty('levoai-org-id', 'an organization ID')), describe: 'organization ID sent with every export', group: 'Export:' },
  'trace-export-interval': { ...valueFlag(traceExportInterval), default: '10', describe: 'seconds between exports, 10 ms to 24 h: 10, 2.5, 500ms, 10s, 2m, 1h', group: 'Export:' },
  'export-format': { ...choiceFlag('export-format', ['otlp', 'levo'] as const), default: 'otlp', describe: 'satellite protocol: OTLP/HTTP or the satellite JSON', group: 'Export:' },
  'satellite-ca': { ...valueFlag(nonEmpty('satellite-ca', 'a PEM file')), describe: 'PEM file of a CA to trust for an https satellite', group: 'Export:' },

  'rate-limit': { ...valueFlag(wholeNumber('rate-limit')), default: 1000, describe: 'traces per minute at most (0 = no limit)', group: 'Policy:' },
  'rate-limit-per-endpoint': { ...valueFlag(wholeNumber('rate-limit-per-endpoint')), default: 0, describe: 'traces per minute per endpoint at most (0 = off)', group: 'Policy:' },
  'host-allow': { ...listFlag('host-allow', regexList('host-allow')), describe: 'keep only hosts matching this regex (repeatable)', group: 'Policy:' },
  'path-allow': { ...listFlag('path-allow', regexList('path-allow')), describe: 'keep only paths matching this regex (repeatable)', group: 'Policy:' },
  'host-exclusions': { ...listFlag('host-exclusions', regexList('host-exclusions')), describe: 'drop hosts matching this regex (repeatable)', group: 'Policy:' },
  'path-exclusions': { ...listFlag('path-exclusions', regexList('path-exclusions')), describe: 'drop paths matching this regex (repeatable)', group: 'Policy:' },
  'exclude-user-agent': { ...listFlag('exclude-user-agent', regexList('exclude-user-agent')), describe: 'drop requests whose User-Agent matches this regex (repeatable)', group: 'Policy:' },

  redaction: { ...choiceFlag('redaction', ['on', 'off']), default: 'on', describe: 'hide credentials (headers, JSON/form fields) before anything leaves the process', group: 'Policy:' },
  'redact-header': { ...listFlag('redact-header'), describe: 'another header name whose value is redacted (repeatable)', group: 'Policy:' },
  'redact-body-field': { ...listFlag('redact-body-field'), describe: 'another JSON/form field name whose value is redacted (repeatable)', group: 'Policy:' },

  'stats-interval': { ...valueFlag(positiveNumber('stats-interval')), default: 60, describe: 'seconds between stats log lines', group: 'Logging:' },
  'log-level': { ...choiceFlag('log-level', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', describe: 'log level', group: 'Logging:' },

  'metrics-port': { ...valueFlag(listenPort('metrics-port')), default: 0, describe: 'serve Prometheus text at /metrics and liveness at /healthz on this port (0 = off)', group: 'Observability:' },
  'metrics-host': { ...valueFlag(nonEmpty('metrics-host', 'an address')), default: '127.0.0.1', describe: 'address of the metrics server (0.0.0.0 to be scraped from outside the task)', group: 'Observability:' },
  'health-capture-stall-seconds': { ...valueFlag(positiveNumber('health-capture-stall-seconds')), default: 60, describe: 'unhealthy when the kernel holds packets the capture loop has not delivered for this long (live)', group: 'Observability:' },
  'health-export-failure-seconds': { ...valueFlag(positiveNumber('health-export-failure-seconds')), default: 300, describe: 'unhealthy when every satellite export attempt has failed for this long', group: 'Observability:' },

  config: { ...valueFlag(nonEmpty('config', 'a file path')), describe: 'YAML config file (keys = flag names); default /etc/levo/config/pcap-sensor/config.yaml when present', group: 'Configuration:' },
  'print-config': { type: 'boolean', default: false, describe: 'print the effective configuration (secrets masked) as JSON and exit', group: 'Configuration:' },
} satisfies Record<string, Options>;

/**
 * Rules between flags, checked after parsing and before anything starts (a run and --print-config alike):
 * a file or live interfaces, not both; a live capture buffer of at least MIN_CAPTURE_BUFFER_BYTES;
 * somewhere to send exchanges. Throws UsageError naming the flags.
 */
export function checkCombinations(a: Record<string, unknown>): void {
  if (a.pcap !== undefined && (a.interface as string[]).length > 0) {
    throw new UsageError('--pcap and --interface exclude each other: read a file or capture live');
  }
  const buffer = a['capture-buffer-size'] as number;
  if (a.pcap === undefined && buffer < MIN_CAPTURE_BUFFER_BYTES) {
    throw new UsageError(`--capture-buffer-size: at least ${MIN_CAPTURE_BUFFER_BYTES} bytes (1MiB) for live capture, got ${buffer}`);
  }
  if (a.out === undefined && a['satellite-url'] === undefined) {
    throw new UsageError('nothing to send exchanges to: give --out FILE (- for stdout) and/or --satellite-url URL');
  }
}

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
    // seconds after parsing (1h -> 3600, as --print-config shows it); the export stage counts milliseconds
    exportIntervalMs: Math.round((a['trace-export-interval'] as number) * 1000),
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
    redaction: a.redaction === 'on',
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
