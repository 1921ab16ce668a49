/**
 * Export configuration: what the export stage needs from the `apidump` flags. The flag values arrive already
 * parsed and validated by their parsers (src/config/: the satellite URL, the export interval, the format), so
 * nothing is checked twice here; what is left is what only the export stage knows: reading the
 * --satellite-ca file, and the remarks for the start-up log. A CA that cannot be used throws
 * ExportConfigError with a message fit for the user (the CLI prints it as a usage error).
 */
import { readFileSync } from 'node:fs';

export class ExportConfigError extends Error {
  override name = 'ExportConfigError';
}

export type ExportFormat = 'otlp' | 'levo';

export const EXPORT_DEFAULTS = {
  levoEnv: 'staging',
  exportIntervalMs: 10_000,
  exportFormat: 'otlp' as ExportFormat,
};

/** The validated flag values; every field optional (absent flag: the default). */
export interface ExportFlags {
  /** http(s)://host:port[/prefix], as src/config/satellite-url.ts accepts it. */
  satelliteUrl?: string;
  levoEnv?: string;
  levoaiOrgId?: string;
  /** --trace-export-interval in whole milliseconds (src/config/values.ts `traceExportInterval`). */
  exportIntervalMs?: number;
  exportFormat?: ExportFormat;
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

/** Applies defaults, reads the CA file, and collects the start-up remarks. */
export function resolveExportConfig(flags: ExportFlags): ExportConfig {
  const warnings: string[] = [];
  const satelliteUrl = flags.satelliteUrl === undefined ? null : new URL(flags.satelliteUrl.trim());
  const orgId = (flags.levoaiOrgId ?? '').trim();
  if (satelliteUrl !== null && orgId === '') {
    warnings.push('--levoai-org-id is not set: the x-levo-organization-id header is omitted and a real satellite will refuse the traces');
  }

  const caPath = flags.satelliteCa;
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

  return {
    satelliteUrl,
    levoEnv: (flags.levoEnv ?? EXPORT_DEFAULTS.levoEnv).trim(),
    orgId,
    exportIntervalMs: flags.exportIntervalMs ?? EXPORT_DEFAULTS.exportIntervalMs,
    format: flags.exportFormat ?? EXPORT_DEFAULTS.exportFormat,
    out: flags.out !== undefined && flags.out !== '' ? flags.out : null,
    warnings,
    ...(ca !== undefined ? { ca, caPath } : {}),
  };
}
