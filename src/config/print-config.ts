/**
 * `apidump --print-config`: the effective configuration as JSON, with where each value came from and
 * secrets masked. Masked: the organization ID (all but its first 4 and last 2 characters; fully when it is
 * 8 characters or shorter) and every value whose flag name contains token, secret, key or password.
 */
import { originOf, type ConfigLayers, type Origin } from './layers.js';

const SECRET_NAME = /token|secret|key|password/i;
const ORG_ID_FLAG = 'levoai-org-id';

/** Masks all but a short prefix and suffix; short values entirely. */
export function maskPartially(value: string): string {
  if (value.length <= 8) return '*'.repeat(value.length);
  return `${value.slice(0, 4)}${'*'.repeat(value.length - 6)}${value.slice(-2)}`;
}

function maskValue(flag: string, value: unknown): unknown {
  if (value === undefined || value === null || value === '') return value;
  if (flag === ORG_ID_FLAG) return maskPartially(typeof value === 'string' ? value : JSON.stringify(value));
  if (SECRET_NAME.test(flag)) return Array.isArray(value) ? value.map(() => '***') : '***';
  return value;
}

/** Flag name -> effective value, masked. `args` are yargs' parsed arguments (after coercion). */
export function maskedConfig(args: Record<string, unknown>, flags: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of flags) out[f] = maskValue(f, args[f]) ?? null;
  return out;
}

export interface PrintedConfig {
  configFile: string | null;
  config: Record<string, unknown>;
  /** flag -> "flag" | "env LEVO_X" | "file PATH line N" | "default" */
  source: Record<string, string>;
}

function originText(o: Origin): string {
  if (o === 'flag' || o === 'default') return o;
  return 'env' in o ? `env ${o.env}` : `file ${o.file} line ${o.line}`;
}

export function renderConfig(args: Record<string, unknown>, flags: readonly string[], layers: ConfigLayers,
  onCommandLine: Set<string>): PrintedConfig {
  const source: Record<string, string> = {};
  for (const f of flags) source[f] = originText(originOf(f, layers, onCommandLine));
  return { configFile: layers.configFile, config: maskedConfig(args, flags), source };
}
