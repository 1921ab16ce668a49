/**
 * Configuration from a YAML file: keys are `apidump` flag names, values are scalars, and repeatable flags
 * (the regex lists) are YAML lists (a single scalar is accepted as a one-item list).
 *
 *   filter: port 8080 and (not port 8081)
 *   rate-limit: 500
 *   path-exclusions:
 *     - ^/health$
 *     - ^/metrics$
 *
 * Which file: `--config FILE` if given, else $LEVO_CONFIG, else DEFAULT_CONFIG_PATH when it exists. A file
 * named explicitly must exist; the default one is optional. Unknown keys, a non-mapping document, a list for
 * a single-valued flag and YAML syntax errors are refused with a UsageError naming the file (and line).
 * Cap: files over MAX_CONFIG_FILE_BYTES are refused (a config file is a few hundred bytes).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { UsageError } from '../cli/apidump-flags.js';
import type { FlagSpec } from './env-layer.js';

export const DEFAULT_CONFIG_PATH = '/etc/levo/config/pcap-sensor/config.yaml';
export const CONFIG_ENV = 'LEVO_CONFIG';
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * The config file to read, from the raw command line (the tokens after the command name), the environment
 * and the default path; null when there is none. Only `--config F` and `--config=F` are recognised.
 */
export function locateConfigFile(argv: readonly string[], env: NodeJS.ProcessEnv, defaultPath = DEFAULT_CONFIG_PATH): { path: string; explicit: boolean } | null {
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    if (tok === '--') break;
    if (tok === '--config') {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError('--config: expected a file path');
      return { path: next, explicit: true };
    }
    if (tok.startsWith('--config=')) return { path: tok.slice('--config='.length), explicit: true };
  }
  const fromEnv = env[CONFIG_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { path: fromEnv, explicit: true };
  return existsSync(defaultPath) ? { path: defaultPath, explicit: false } : null;
}

type Scalar = string | number | boolean;

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Reads and validates a config file; returns flag name -> value (scalars, or string lists for repeatable flags). */
export function readConfigFile(path: string, specs: Record<string, FlagSpec>): Record<string, Scalar | string[]> {
  let text: string;
  try {
    if (statSync(path).size > MAX_CONFIG_FILE_BYTES) throw new Error(`larger than ${MAX_CONFIG_FILE_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`config file ${path}: cannot read it: ${(err as Error).message}`);
  }
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line;
    throw new UsageError(`config file ${path}${line ? ` line ${line}` : ''}: ${e.message.split('\n')[0]}`);
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(`config file ${path}: expected a mapping of flag names to values`);
  }
  const out: Record<string, Scalar | string[]> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const spec = specs[key];
    if (spec === undefined) {
      throw new UsageError(`config file ${path}: unknown key '${key}' (keys are apidump flag names without '--', e.g. rate-limit)`);
    }
    if (value === null || value === undefined) continue;
    if (spec.array) {
      const list = Array.isArray(value) ? value : [value];
      if (!list.every((v) => typeof v === 'string' || typeof v === 'number')) {
        throw new UsageError(`config file ${path}: '${key}' must be a list of strings`);
      }
      out[key] = list.map(String);
    } else if (typeof value === 'boolean' && spec.onOff) {
      out[key] = value ? 'on' : 'off';
    } else if (isScalar(value)) {
      out[key] = value;
    } else {
      throw new UsageError(`config file ${path}: '${key}' takes one value, got ${Array.isArray(value) ? 'a list' : 'a mapping'}`);
    }
  }
  return out;
}
