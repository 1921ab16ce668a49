/**
 * Export configuration: flag and environment-variable names, defaults, parsing and validation.
 * The CLI passes what yargs parsed (strings or numbers, undefined when absent) and process.env;
 * flags win over environment variables. Invalid values throw ExportConfigError with a message
 * fit for the user, so the CLI can print it and exit at start-up.
 */
import { readFileSync } from 'node:fs';
import { IntervalError, parseInterval } from './interval.js';

export class ExportConfigError extends Error {
  override name = 'ExportConfigError';
}

export type ExportFormat = 'otlp' | 'levo';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['otlp', 'levo'];

/** Environment variable read when the flag is absent. */
export const EXPORT_ENV = {
  satelliteUrl: 'LEVO_SATELLITE_URL',
  levoEnv: 'LEVO_ENV',
  orgId: 'LEVOAI_ORG_ID',
  traceExportInterval: 'LEVO_TRACE_EXPORT_INTERVAL',
  exportFormat: 'LEVO_EXPORT_FORMAT',
  satelliteCa: 'LEVO_SATELLITE_CA',
} as const;

export const EXPORT_DEFAULTS = {
  levoEnv: 'staging',
  traceExportIntervalMs: 10_000,
  exportFormat: 'otlp' as ExportFormat,
};

/** What the CLI parsed; every field optional (absent flag). */
export interface ExportFlags {
  satelliteUrl?: string;
  levoEnv?: string;
  levoaiOrgId?: string;
  traceExportInterval?: string | number;
  exportFormat?: string;
  satelliteCa?: string;
  /** --out FILE ("-" = stdout). */
  out?: string;
}

export interface ExportConfig {
  /** null: no satellite export. */
  satelliteUrl: URL | null;
  levoEnv: string;
  /** '' when not given. */
  orgId: string;
  exportIntervalMs: number;
  format: ExportFormat;
  /** Contents of the --satellite-ca file (PEM), or undefined. */
  ca?: Buffer;
  /** Path of --satellite-ca, for messages. */
  caPath?: string;
  /** --out path, or null. */
  out: string | null;
  /** Non-fatal remarks for the start-up log. */
  warnings: string[];
}

/** Validates a satellite URL: http or https, a host, no credentials, query or fragment. */
export function parseSatelliteUrl(value: string, flag = '--satellite-url'): URL {
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    throw new ExportConfigError(`${flag}: ${JSON.stringify(value)} is not a URL; expected http(s)://host:port, e.g. http://satellite:9999`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ExportConfigError(`${flag}: scheme ${JSON.stringify(u.protocol.replace(/:$/, ''))} is not supported; use http:// or https://`);
  }
  if (u.hostname === '') throw new ExportConfigError(`${flag}: ${JSON.stringify(value)} has no host`);
  if (u.username !== '' || u.password !== '') throw new ExportConfigError(`${flag}: credentials in the URL are not supported`);
  if (u.search !== '' || u.hash !== '') throw new ExportConfigError(`${flag}: a query or fragment is not allowed in ${JSON.stringify(value)}`);
  return u;
}

export function parseExportFormat(value: string, flag = '--export-format'): ExportFormat {
  const v = value.trim().toLowerCase();
  if (v === 'otlp' || v === 'levo') return v;
  throw new ExportConfigError(`${flag}: ${JSON.stringify(value)} is not one of ${EXPORT_FORMATS.join(', ')}`);
}

function pick<T>(flag: T | undefined, env: NodeJS.ProcessEnv, name: string): T | string | undefined {
  if (flag !== undefined && flag !== '') return flag;
  const v = env[name];
  return v !== undefined && v !== '' ? v : undefined;
}

/** Merges flags over environment variables over defaults, and validates. */
export function resolveExportConfig(flags: ExportFlags, env: NodeJS.ProcessEnv = process.env): ExportConfig {
  const warnings: string[] = [];
  const urlText = pick(flags.satelliteUrl, env, EXPORT_ENV.satelliteUrl);
  const satelliteUrl = urlText === undefined ? null : parseSatelliteUrl(urlText);

  const intervalIn = pick(flags.traceExportInterval, env, EXPORT_ENV.traceExportInterval);
  let exportIntervalMs = EXPORT_DEFAULTS.traceExportIntervalMs;
  if (intervalIn !== undefined) {
    try {
      exportIntervalMs = parseInterval(intervalIn);
    } catch (err) {
      throw new ExportConfigError(err instanceof IntervalError ? err.message : String(err));
    }
  }

  const formatIn = pick(flags.exportFormat, env, EXPORT_ENV.exportFormat);
  const format = formatIn === undefined ? EXPORT_DEFAULTS.exportFormat : parseExportFormat(formatIn);

  const levoEnv = (pick(flags.levoEnv, env, EXPORT_ENV.levoEnv) ?? EXPORT_DEFAULTS.levoEnv).trim();
  if (levoEnv === '') throw new ExportConfigError('--levo-env: must not be empty');
  const orgId = (pick(flags.levoaiOrgId, env, EXPORT_ENV.orgId) ?? '').trim();
  if (satelliteUrl !== null && orgId === '') {
    warnings.push('--levoai-org-id is not set: the x-levo-organization-id header is omitted and a real satellite will refuse the traces');
  }

  const caPath = pick(flags.satelliteCa, env, EXPORT_ENV.satelliteCa);
  let ca: Buffer | undefined;
  if (caPath !== undefined) {
    try {
      ca = readFileSync(caPath);
    } catch (err) {
      throw new ExportConfigError(`--satellite-ca: cannot read ${JSON.stringify(caPath)}: ${(err as Error).message}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ExportConfigError(`--satellite-ca: ${JSON.stringify(caPath)} holds no PEM certificate`);
    }
    if (satelliteUrl?.protocol !== 'https:') warnings.push('--satellite-ca is ignored: the satellite URL is not https');
  }

  const out = flags.out !== undefined && flags.out !== '' ? flags.out : null;
  return {
    satelliteUrl, levoEnv, orgId, exportIntervalMs, format, out, warnings,
    ...(ca !== undefined ? { ca, caPath } : {}),
  };
}
