/**
 * The one place where configuration sources are merged. Precedence, highest first:
 *   command-line flags > environment variables (env-layer.ts) > config file (file-layer.ts) > defaults.
 * How: the environment layer is laid over the file layer here, and the result is handed to yargs as a
 * config object (`yargs.config(obj)`): yargs applies it only to flags absent from the command line and
 * only then falls back to defaults, and runs the same coercion and validation on every value whatever its
 * source. Nothing else in the program reads LEVO_* variables for apidump.
 */
import type { Options } from 'yargs';
import { readEnvLayer, type FlagSpec } from './env-layer.js';
import { locateConfigFile, readConfigFile } from './file-layer.js';

/** Flags that are about configuration itself, never taken from the environment or a file. */
const NOT_LAYERED = new Set(['config', 'print-config', 'help', 'version']);

export type Origin = 'flag' | 'default' | { env: string } | { file: string; line: number };

export interface ConfigLayers {
  /** Environment over file: give to yargs.config(). */
  merged: Record<string, unknown>;
  /** The file that was read, or null. */
  configFile: string | null;
  /** Flag name -> where a layered value came from (env or file); absent keys are flags or defaults. */
  origin: Record<string, { env: string } | { file: string; line: number }>;
}

/** Flag specs of the layered options (everything except NOT_LAYERED). */
export function layeredSpecs(options: Record<string, Options>): Record<string, FlagSpec> {
  const specs: Record<string, FlagSpec> = {};
  for (const [name, o] of Object.entries(options)) {
    if (NOT_LAYERED.has(name)) continue;
    const choices = o.choices as readonly unknown[] | undefined;
    specs[name] = { array: o.array === true, onOff: choices !== undefined && choices.length === 2 && choices.includes('on') && choices.includes('off') };
  }
  return specs;
}

/**
 * Builds the layers for one run. `argv` is the command line after the command name (used only to find
 * --config). Throws UsageError for a bad variable or config file.
 */
export function buildConfigLayers(options: Record<string, Options>, argv: readonly string[], env: NodeJS.ProcessEnv, defaultConfigPath?: string): ConfigLayers {
  const specs = layeredSpecs(options);
  const located = locateConfigFile(argv, env, defaultConfigPath);
  const file = located ? readConfigFile(located.path, specs, located.namedBy) : { values: {}, lines: {} };
  const envLayer = readEnvLayer(specs, env);
  const origin: ConfigLayers['origin'] = {};
  for (const [k, line] of Object.entries(file.lines)) origin[k] = { file: located!.path, line };
  for (const [k, v] of Object.entries(envLayer.origin)) origin[k] = { env: v };
  return { merged: { ...file.values, ...envLayer.values }, configFile: located?.path ?? null, origin };
}

/** Where the effective value of `flag` came from. */
export function originOf(flag: string, layers: ConfigLayers, onCommandLine: Set<string>): Origin {
  if (onCommandLine.has(flag)) return 'flag';
  return layers.origin[flag] ?? 'default';
}

/**
 * The suffix of a message about a refused value: ' (command line)', ' (set by LEVO_X)',
 * ' (set in config file F line N)'; '' for a default.
 */
export function describeOrigin(o: Origin): string {
  if (o === 'default') return '';
  if (o === 'flag') return ' (command line)';
  return 'env' in o ? ` (set by ${o.env})` : ` (set in config file ${o.file} line ${o.line})`;
}
