/**
 * What the raw command line says, before yargs: which flags were given, and the refusal of a single-value
 * flag given more than once. yargs would collect the repeated values into a list that every later stage
 * misreads (`--out a --out b` crashed, `--filter X --filter X` applied no filter, `--redaction off
 * --redaction off` kept redaction on), so the rule is uniform: a flag that takes one value, whatever its
 * type (booleans included), may appear once; only repeatable flags (yargs `array: true`) may appear again.
 *
 * Contract: pure; reads tokens up to `--` (yargs stops there too): `--name`, `--name=value`.
 */
import type { Options } from 'yargs';
import { UsageError } from './usage-error.js';

/** The flag name of a token, or null when the token is not a long flag. */
function flagName(tok: string): string | null {
  if (!tok.startsWith('--') || tok === '--') return null;
  return tok.slice(2).split('=')[0];
}

/** Flags named on the command line (`--name`, `--name=v`), up to `--`. */
export function flagsOnCommandLine(argv: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const tok of argv) {
    if (tok === '--') break;
    const name = flagName(tok);
    if (name !== null) out.add(name);
  }
  return out;
}

/**
 * Throws a UsageError for the first single-value flag of `options` given more than once, and for a
 * `--no-<flag>` form of a flag that takes a value (yargs would read `--no-rate-limit` as "rate-limit = false",
 * i.e. 0: no limit). A boolean flag's `--no-<flag>` (`--no-dry-run`) is that flag set to false, and counts as
 * one occurrence of it (`--dry-run --no-dry-run` is the flag given twice).
 */
export function checkCommandLine(argv: readonly string[], options: Record<string, Options>): void {
  const counts = new Map<string, number>();
  for (const tok of argv) {
    if (tok === '--') break;
    let name = flagName(tok);
    const negated = name !== null && name.startsWith('no-') ? options[name.slice(3)] : undefined;
    if (negated !== undefined && negated.type === 'boolean') name = name!.slice(3);
    else if (negated !== undefined) {
      throw new UsageError(`--${name}: unknown flag (command line); leave --${name!.slice(3)} out for its default`);
    }
    if (name === null || options[name] === undefined || options[name].array === true) continue;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  for (const [name, n] of counts) {
    if (n > 1) throw new UsageError(`--${name}: given ${n} times on the command line; it takes one value (only list flags may be repeated)`);
  }
}
