/** A user error: printed as one line `Error: <message>` with exit status 2 (src/cli/main.ts). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * `parse()`'s result; a UsageError it throws is thrown again with where the value came from appended,
 * `<message> (<source>)` (`set by LEVO_METRICS_PORT`, `typed at the prompt`): the form src/config/usage-message.ts
 * leaves as it is. Other errors pass through unchanged.
 */
export function withSource<T>(source: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${err.message} (${source})`);
    throw err;
  }
}

/**
 * Messages of values that could not be checked because the program itself is incomplete (the native addon that
 * compiles `--filter` cannot load): a broken install, not a bad value, so a runtime failure (exit status 1), not
 * a usage error. yargs hands on only the message of what a flag's parser throws, so the parser records the
 * message here (`checkUnavailable`) and src/cli/main.ts tells the two apart with `isCheckUnavailable`.
 */
const unavailable = new Set<string>();

/** The error a parser throws when it cannot run its check; `message` starts with `--flag:`. */
export function checkUnavailable(message: string): Error {
  unavailable.add(message);
  return new Error(message);
}

/** Whether `message` is that of a check that could not run (exit status 1). */
export function isCheckUnavailable(message: string): boolean {
  return unavailable.has(message);
}
