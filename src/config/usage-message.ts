/**
 * The one line printed for a usage error (exit status 2), and for a value that could not be checked (exit
 * status 1, src/config/usage-error.ts): the message of a UsageError, or yargs' own
 * message rewritten to the same form, `--flag: what is wrong (where the value came from)`. Where: command
 * line, LEVO_* variable, or config file and line (layers.ts). Messages that already say where (they end
 * with a parenthesis naming the source) are left as they are.
 */
import { describeOrigin, originOf, type ConfigLayers } from './layers.js';

/** yargs messages (English locale) and their rewrite; `$1` is the flag or argument name. */
const YARGS_MESSAGES: [RegExp, (name: string, argv: readonly string[]) => string][] = [
  [/^Not enough arguments following: (.+)$/, (n) => `--${n}: expected a value`],
  [/^Unknown arguments?: ([^,]+)/, (n, argv) => (argv.includes(`--${n}`) || argv.some((t) => t.startsWith(`--${n}=`)) ? `--${n}: unknown flag` : `unknown argument '${n}' (command line)`)],
  [/^Invalid values:\s+Argument: ([a-z0-9-]+), Given: (.*?), Choices: (.*)$/s, (n) => `--${n}: value not among the listed choices`],
];

const NAMES_ITS_SOURCE = /\((?:command line|set by [A-Z0-9_]+|set in config file .+ line \d+)\)|on the command line/;

/** Rewrites `message` into one line naming the flag and where its value came from. */
export function usageLine(message: string, argv: readonly string[], layers: ConfigLayers | null, onCommandLine: Set<string>): string {
  let line = message.split('\n').map((l) => l.trim()).filter((l) => l !== '').join(' ');
  for (const [re, rewrite] of YARGS_MESSAGES) {
    const m = re.exec(line);
    if (m) { line = rewrite(m[1], argv); break; }
  }
  if (NAMES_ITS_SOURCE.test(line)) return line;
  const flag = /^--([a-z0-9-]+):/.exec(line)?.[1];
  const originText = (f: string): string => (layers === null
    ? (onCommandLine.has(f) ? ' (command line)' : '') // refused before the layers were read
    : describeOrigin(originOf(f, layers, onCommandLine)));
  if (flag !== undefined) return line + originText(flag);
  // a message about several flags ("--pcap and --interface exclude each other"): the source of each one set
  const sources = [...new Set([...line.matchAll(/--([a-z0-9-]+)/g)].map((m) => m[1]))]
    .map((f) => [f, originText(f).trim().replace(/^\(|\)$/g, '')])
    .filter(([, o]) => o !== '')
    .map(([f, o]) => `--${f}: ${o}`);
  return sources.length > 0 ? `${line} (${sources.join('; ')})` : line;
}
