/**
 * What the raw command line says, before yargs: which flags were given, and the refusal of a single-value
 * flag given more than once. yargs would collect the repeated values into a list that every later stage
 * misreads (`--out a --out b` crashed, `--filter X --filter X` applied no filter, `--redaction off
 * --redaction off` kept redaction on), so the rule is uniform: a flag that takes one value, whatever its
 * type (booleans included), may appear once; only repeatable flags (yargs `array: true`) may appear again.
 * A flag's short form and aliases (yargs `alias`: `-y`, `--y` for `--yes`) are the flag: `--yes -y` is it
 * given twice, as yargs would otherwise keep only the last of them.
 *
 * Contract: pure; reads tokens up to `--` (yargs stops there too): `--name`, `--name=value`, and short
 * flags as yargs-parser reads them (`-y`, a group `-abc`, `-n5`, `-n=5`: the letters up to the first other
 * character).
 */
import type { Options } from 'yargs';
import { UsageError } from './usage-error.js';

/** The flag name of a token, or null when the token is not a long flag. */
function flagName(tok: string): string | null {
  if (!tok.startsWith('--') || tok === '--') return null;
  return tok.slice(2).split('=')[0];
}

/** The flags a token names as typed, each with its dashes (`--no-yes`, `-y`); [] for a value, `-` or `--`. */
function spellingsOf(tok: string): string[] {
  const long = flagName(tok);
  if (long !== null) return [`--${long}`];
  if (!tok.startsWith('-') || tok.startsWith('--')) return [];
  const letters = /^[A-Za-z]*/.exec(tok.slice(1))![0]; // `-5` (a negative number) and `-` name no flag
  return [...letters].map((c) => `-${c}`);
}

/** Every name and alias of `options`, mapped to the declared name. */
function declaredNames(options: Record<string, Options>): Map<string, string> {
  const names = new Map<string, string>();
  for (const [name, o] of Object.entries(options)) {
    names.set(name, name);
    for (const alias of [o.alias ?? []].flat()) names.set(alias, name);
  }
  return names;
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
 * i.e. 0: no limit). A boolean flag's `--no-<flag>` (`--no-dry-run`, `--no-y`) is that flag set to false, and
 * counts as one occurrence of it (`--dry-run --no-dry-run` is the flag given twice). Occurrences are counted
 * by declared name, whatever the spelling; the message names the flag by its declared name and, when a short
 * form or alias was used, lists the spellings (`--yes: given 2 times on the command line (as --yes, -y); ...`).
 */
export function checkCommandLine(argv: readonly string[], options: Record<string, Options>): void {
  const names = declaredNames(options);
  const given = new Map<string, string[]>();
  for (const tok of argv) {
    if (tok === '--') break;
    for (const spelling of spellingsOf(tok)) {
      const typed = spelling.replace(/^--?/, '');
      let name = names.get(typed);
      const negatedName = spelling.startsWith('--no-') ? names.get(typed.slice(3)) : undefined;
      if (name === undefined && negatedName !== undefined) {
        if (options[negatedName].type !== 'boolean') {
          throw new UsageError(`${spelling}: unknown flag (command line); leave --${typed.slice(3)} out for its default`);
        }
        name = negatedName;
      }
      if (name === undefined || options[name].array === true) continue;
      given.set(name, [...(given.get(name) ?? []), spelling]);
    }
  }
  for (const [name, spellings] of given) {
    if (spellings.length < 2) continue;
    const as = spellings.every((s) => s === `--${name}` || s === `--no-${name}`) ? '' : ` (as ${spellings.join(', ')})`;
    throw new UsageError(`--${name}: given ${spellings.length} times on the command line${as}; it takes one value (only list flags may be repeated)`);
  }
}
