/**
 * Configuration from environment variables, one naming scheme for every `apidump` flag:
 *   LEVO_ + the flag name in upper snake case   (--filter -> LEVO_FILTER, --rate-limit -> LEVO_RATE_LIMIT)
 *   flags already named levo-* / levoai-* keep their own name (--levo-env -> LEVO_ENV,
 *   --levoai-org-id -> LEVOAI_ORG_ID).
 * Repeatable flags take a JSON list of strings (`["^/health$", "^/metrics$"]`) or one value (used as is,
 * never split on commas: a regex may contain one). An empty variable counts as unset (ECS task definitions
 * often carry empty values). Other LEVO_* variables (LEVO_AWS_REGION, ...) are not ours and are ignored.
 *
 * Contract: pure; reads only the `env` object it is given; throws UsageError naming the flag and the variable.
 */
import { UsageError } from './usage-error.js';

/** What the layers need to know about one flag. */
export interface FlagSpec {
  /** Repeatable (yargs `array: true`). */
  array?: boolean;
  /** Takes 'on' / 'off' (a YAML boolean is accepted for it). */
  onOff?: boolean;
}

/** The environment variable of a flag. */
export function envNameForFlag(flag: string): string {
  const snake = flag.replace(/-/g, '_').toUpperCase();
  return flag.startsWith('levo-') || flag.startsWith('levoai-') ? snake : `LEVO_${snake}`;
}

/** Parses a repeatable flag's variable: a JSON list of strings/numbers, or a single value. */
export function parseEnvList(flag: string, name: string, raw: string): string[] {
  const text = raw.trim();
  if (!text.startsWith('[')) return [raw];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--${flag}: starts with '[' but is not a JSON list of strings (${(err as Error).message}) (set by ${name})`);
  }
  if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
    throw new UsageError(`--${flag}: expected a JSON list of strings, got ${text} (set by ${name})`);
  }
  return parsed.map(String);
}

export interface EnvLayer {
  /** Flag name -> value (string, or string[] for repeatable flags). */
  values: Record<string, string | string[]>;
  /** Flag name -> the variable it came from. */
  origin: Record<string, string>;
}

/** Reads the variable of every flag in `specs` (flag name -> spec) that is set and not empty. */
export function readEnvLayer(specs: Record<string, FlagSpec>, env: NodeJS.ProcessEnv): EnvLayer {
  const values: Record<string, string | string[]> = {};
  const origin: Record<string, string> = {};
  for (const [flag, spec] of Object.entries(specs)) {
    const name = envNameForFlag(flag);
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    values[flag] = spec.array ? parseEnvList(flag, name, raw) : raw;
    origin[flag] = name;
  }
  return { values, origin };
}
