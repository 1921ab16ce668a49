/**
 * Start-up errors of the policy stage. Thrown only while options are compiled (never from admit()
 * or redact()), so the CLI can print the message and exit.
 */

/** A policy option is invalid. `flag` is the CLI flag name without dashes, e.g. 'host-allow'. */
export class PolicyConfigError extends Error {
  override name = 'PolicyConfigError';

  constructor(
    readonly flag: string,
    message: string,
    /** The offending pattern or value as given, when there is one. */
    readonly pattern: string | null = null,
  ) {
    super(`--${flag}: ${message}`);
  }
}
