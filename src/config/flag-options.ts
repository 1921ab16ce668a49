/**
 * yargs declarations of value flags whose values are checked by this folder's parsers, shared by every
 * command (`apidump`, `ecs`, `satellite`, `health`) so a flag that two commands take is refused the same way
 * with the same message. The parser runs as the yargs `coerce` of the flag, on every value whatever its source
 * (command line, LEVO_* variable, config file, default); a UsageError it throws reaches src/cli/main.ts, which
 * prints it as one line naming where the value came from (src/config/usage-message.ts).
 */
import { list, oneOf } from './values.js';

/** A flag taking one value (given once: src/config/command-line.ts), checked by `coerce`. */
export function valueFlag<T>(coerce: (v: unknown) => T) {
  return { type: 'string' as const, requiresArg: true, coerce };
}

/** A flag taking one of `choices`: listed in --help, checked by our parser (one line, names the source). */
export function choiceFlag<C extends readonly string[]>(flag: string, choices: C) {
  return { choices, requiresArg: true, coerce: oneOf(flag, choices) };
}

/** A repeatable flag, each occurrence one item (never comma-split); `parse` checks every item. */
export function listFlag(flag: string, parse: (v: unknown) => string[] = list(flag)) {
  return {
    type: 'string' as const,
    array: true,
    requiresArg: true,
    default: [] as string[],
    coerce: parse,
  };
}

/**
 * The value as typed, once `parse` accepted it (a flag forwarded to another program as the user wrote it),
 * without the spaces around it, which `parse` ignores too.
 */
export function asTyped(parse: (v: unknown) => unknown) {
  return (v: unknown): string => {
    parse(v);
    return String(v).trim();
  };
}
