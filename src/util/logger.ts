/**
 * The process logger: pino, JSON lines to stderr; human-readable (pino-pretty, synchronous) when stderr is
 * a terminal. Decided once at start-up (pino's rule: nothing decided per call).
 */
import { pino, destination, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Force pretty (true) or JSON (false); default: pretty when stderr is a TTY. */
  pretty?: boolean;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  const usePretty = opts.pretty ?? Boolean(process.stderr.isTTY);
  if (usePretty) {
    return pino({ level, base: undefined }, pretty({ destination: 2, sync: true, colorize: true }));
  }
  return pino({ level, base: { name: 'pcap-sensor' } }, destination({ dest: 2, sync: true }));
}
