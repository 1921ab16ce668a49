/**
 * The regex list flags (--host-allow, --path-allow, --host-exclusions, --path-exclusions,
 * --exclude-user-agent): each item compiled at parse time with the policy stage's own rules
 * (src/policy/patterns.ts: JavaScript syntax, a leading (?i), a JSON list of strings expanded), so an invalid
 * pattern is a usage error naming its source before anything starts, and --print-config refuses it too.
 */
import { compilePatterns } from '../policy/patterns.js';
import { PolicyConfigError } from '../policy/errors.js';
import { UsageError } from './usage-error.js';
import { list } from './values.js';

export function regexList(flag: string) {
  const items = list(flag);
  return (v: unknown): string[] => {
    const values = items(v);
    try {
      compilePatterns(flag, values);
    } catch (err) {
      if (err instanceof PolicyConfigError) throw new UsageError(err.message);
      throw err;
    }
    return values;
  };
}
