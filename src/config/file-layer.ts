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
 * named explicitly must exist; the default one is optional. Unknown keys, a non-mapping document, a list or
 * mapping for a single-valued flag, a boolean for a flag that is not on/off, duplicate keys and YAML syntax
 * errors are refused with a UsageError naming the file and the line. A key with no value counts as unset.
 * The values themselves are checked by the flag's parser (src/config/values.ts), which names the key's line.
 * Cap: files over MAX_CONFIG_FILE_BYTES are refused (a config file is a few hundred bytes).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { UsageError } from './usage-error.js';
import type { FlagSpec } from './env-layer.js';

export const DEFAULT_CONFIG_PATH = '/etc/levo/config/pcap-sensor/config.yaml';
export const CONFIG_ENV = 'LEVO_CONFIG';
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * The config file to read, from the raw command line (the tokens after the command name), the environment
 * and the default path; null when there is none. Only `--config F` and `--config=F` are recognised.
 */
export interface ConfigFileLocation {
  path: string;
  /** Named by --config or LEVO_CONFIG (must exist), rather than the default path. */
  explicit: boolean;
  /** Who named it, for messages: '(command line)', '(set by LEVO_CONFIG)', '(default path)'. */
  namedBy: string;
}

export function locateConfigFile(argv: readonly string[], env: NodeJS.ProcessEnv, defaultPath = DEFAULT_CONFIG_PATH): ConfigFileLocation | null {
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    if (tok === '--') break;
    if (tok === '--config') {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--') || next.trim() === '') throw new UsageError('--config: expected a file path (command line)');
      return { path: next, explicit: true, namedBy: '(command line)' };
    }
    if (tok.startsWith('--config=')) {
      const path = tok.slice('--config='.length);
      if (path.trim() === '') throw new UsageError('--config: expected a file path (command line)');
      return { path, explicit: true, namedBy: '(command line)' };
    }
  }
  const fromEnv = env[CONFIG_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { path: fromEnv, explicit: true, namedBy: `(set by ${CONFIG_ENV})` };
  return existsSync(defaultPath) ? { path: defaultPath, explicit: false, namedBy: '(default path)' } : null;
}

type Scalar = string | number | boolean;

export interface FileLayer {
  /** Flag name -> value: scalars, or string lists for repeatable flags. */
  values: Record<string, Scalar | string[]>;
  /** Flag name -> 1-based line of its key, for messages. */
  lines: Record<string, number>;
}

/** Reads and validates a config file. */
export function readConfigFile(path: string, specs: Record<string, FlagSpec>, namedBy = ''): FileLayer {
  let text: string;
  try {
    if (statSync(path).size > MAX_CONFIG_FILE_BYTES) throw new Error(`larger than ${MAX_CONFIG_FILE_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--config: cannot read config file ${path}: ${(err as Error).message}${namedBy ? ` ${namedBy}` : ''}`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  const lineOf = (offset: number | undefined): number => lineCounter.linePos(offset ?? 0).line;
  const at = (line: number): string => `config file ${path} line ${line}`;
  const root = doc.contents;
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const message = e.message.split('\n')[0];
    const errorLine = lineOf(e.pos[0]);
    // an unclosed quote or bracket is noticed where the file ends: name the key whose value it is
    const pair = isMap(root) ? root.items.find((p) => {
      const r = (p.value as Node | null)?.range;
      return r !== undefined && r !== null && r[0] <= e.pos[0] && e.pos[0] <= r[1];
    }) : undefined;
    const keyNode = pair?.key as Node | undefined;
    const keyLine = lineOf(keyNode?.range?.[0]);
    if (pair && keyLine !== errorLine) {
      throw new UsageError(`${at(keyLine)}: invalid YAML in the value of '${String(pair.key)}': ${message} (noticed at line ${errorLine})`);
    }
    throw new UsageError(`${at(errorLine)}: invalid YAML: ${message}`);
  }
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) return { values: {}, lines: {} };
  if (!isMap(root)) throw new UsageError(`${at(lineOf(root.range?.[0]))}: expected a mapping of flag names to values`);
  const keyLines = new Map<string, number>();
  for (const pair of root.items) {
    const keyNode = pair.key as Node | null;
    keyLines.set(String(isScalar(keyNode) ? keyNode.value : keyNode), lineOf(keyNode?.range?.[0]));
  }
  const values: FileLayer['values'] = {};
  const lines: FileLayer['lines'] = {};
  for (const [key, value] of Object.entries(doc.toJS() as Record<string, unknown>)) {
    const line = keyLines.get(key) ?? 1;
    const spec = specs[key];
    if (spec === undefined) {
      throw new UsageError(`${at(line)}: unknown key '${key}' (keys are apidump flag names without '--', e.g. rate-limit)`);
    }
    if (value === null || value === undefined) continue; // `key:` with no value counts as unset
    lines[key] = line;
    if (spec.array) {
      const list = Array.isArray(value) ? value : [value];
      if (!list.every((v) => typeof v === 'string' || typeof v === 'number')) {
        throw new UsageError(`--${key}: expected a string or a list of strings (set in ${at(line)})`);
      }
      values[key] = list.map(String);
    } else if (typeof value === 'boolean') {
      if (!spec.onOff) throw new UsageError(`--${key}: expected a value, got the YAML boolean ${value} (set in ${at(line)})`);
      values[key] = value ? 'on' : 'off';
    } else if (typeof value === 'string' || typeof value === 'number') {
      values[key] = value;
    } else {
      throw new UsageError(`--${key}: takes one value, got ${Array.isArray(value) ? 'a list' : 'a mapping'} (set in ${at(line)})`);
    }
  }
  return { values, lines };
}
