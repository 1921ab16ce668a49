/**
 * Regex list options (--host-allow, --path-allow, --host-exclusions, --path-exclusions,
 * --exclude-user-agent): turning user values into compiled RegExps, once, at start-up.
 *
 * Value forms accepted (each flag is repeatable; values are NEVER split on commas, so `\d{1,3}` works):
 *  - one string = one regex;
 *  - an array of strings (what a YAML/JSON configuration file gives) = one regex per element;
 *  - a string that is a JSON array of strings, e.g. `["^/a","^/b"]` (the list form of a config file
 *    passed through an environment variable or a single flag) = one regex per element. Only a value
 *    that starts with `[`, ends with `]`, parses as JSON and holds nothing but strings is expanded;
 *    anything else (e.g. `[0-9]+`, `[ab]`) is one regex. To use a regex that happens to be a JSON
 *    array of strings, wrap it in a group: `(?:["a"])`.
 *
 * Matching is unanchored (RegExp.test): write `^...$` to match a whole value. A leading `(?i)` (the
 * Go / PCRE inline flag, common in configs of the tool this sensor replaces) is turned into the `i`
 * flag. No `g`/`y` flag is ever set, so test() keeps no state between calls.
 */
import { PolicyConfigError } from './errors.js';

export interface CompileOptions {
  /** Match case-insensitively (used for host names, which DNS treats case-insensitively). */
  ignoreCase?: boolean;
}

const INLINE_IGNORE_CASE = '(?i)';

/** True when `s` looks like and parses as a JSON array whose elements are all strings. */
function jsonStringList(s: string): string[] | null {
  const trimmed = s.trim();
  if (trimmed.length < 2 || trimmed[0] !== '[' || trimmed[trimmed.length - 1] !== ']') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) return null;
  return parsed as string[];
}

/**
 * Flattens the accepted value forms into a list of pattern sources (see the file comment).
 * undefined / null give an empty list. Throws PolicyConfigError for non-string elements.
 */
export function expandPatternValues(flag: string, values: unknown): string[] {
  if (values === undefined || values === null) return [];
  const items: unknown[] = Array.isArray(values) ? values : [values];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item === 'number' && Number.isFinite(item)) {
      out.push(String(item));
      continue;
    }
    if (typeof item !== 'string') {
      throw new PolicyConfigError(flag, `expected a regular expression (a string), got ${JSON.stringify(item)}`);
    }
    const list = jsonStringList(item);
    if (list === null) out.push(item);
    else out.push(...list);
  }
  return out;
}

/** Compiles one pattern; throws PolicyConfigError naming the flag and the pattern. */
export function compilePattern(flag: string, source: string, options: CompileOptions = {}): RegExp {
  if (source.length === 0) {
    throw new PolicyConfigError(flag, 'empty pattern (it would match every value); remove it or write ".*"', source);
  }
  let body = source;
  let flags = options.ignoreCase ? 'i' : '';
  if (body.startsWith(INLINE_IGNORE_CASE)) {
    body = body.slice(INLINE_IGNORE_CASE.length);
    flags = 'i';
  }
  try {
    return new RegExp(body, flags);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new PolicyConfigError(flag, `invalid regular expression ${JSON.stringify(source)}: ${reason}`, source);
  }
}

/**
 * Compiles every value of one flag (see expandPatternValues for the forms). Call once at start-up.
 * @param flag CLI flag name without dashes, used in error messages.
 */
export function compilePatterns(flag: string, values: unknown, options: CompileOptions = {}): RegExp[] {
  return expandPatternValues(flag, values).map((src) => compilePattern(flag, src, options));
}

/** True when any pattern matches `value`. Plain loop: no closure per call. */
export function matchesAny(patterns: readonly RegExp[], value: string): boolean {
  for (let i = 0; i < patterns.length; i++) {
    if (patterns[i].test(value)) return true;
  }
  return false;
}
