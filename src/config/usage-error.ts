/** A user error: printed as one line `Error: <message>` with exit status 2 (src/cli/main.ts). */
export class UsageError extends Error {
  override name = 'UsageError';
}
