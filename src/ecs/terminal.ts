// User-facing text and questions. The installer is interactive: results and JSON go to stdout, progress,
// warnings and questions to stderr, so `ecs add --dry-run > td.json` keeps a clean file.
import { createInterface, type Interface } from 'node:readline';
import { InstallerError } from './aws-errors.js';
import { UsageError } from '../config/usage-error.js';

export interface Output {
  /** A result line (stdout). */
  say(text: string): void;
  /** A warning or note (stderr). */
  warn(text: string): void;
  /**
   * A progress line. On a terminal successive calls overwrite one line; elsewhere each is its own line.
   * Call `endProgress` before any other output.
   */
  progress(text: string): void;
  endProgress(): void;
}

export function consoleOutput(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  let open = false;
  return {
    say(text) { this.endProgress(); stdout.write(text + '\n'); },
    warn(text) { this.endProgress(); stderr.write(text + '\n'); },
    progress(text) {
      if (stderr.isTTY) { stderr.write('\r\x1b[2K' + text); open = true; } else stderr.write(text + '\n');
    },
    endProgress() { if (open) { stderr.write('\n'); open = false; } },
  };
}

/** Lines kept from type-ahead; more are dropped (a paste of a whole script is not an answer list). */
const MAX_TYPE_AHEAD = 32;

export interface Choice { value: string; label?: string }

/** Asks for what the flags left open. `flag` names the flag that would have answered, for error messages. */
export interface Prompter {
  readonly interactive: boolean;
  choose(question: string, flag: string, choices: readonly Choice[]): Promise<string>;
  text(question: string, flag: string, defaultValue?: string): Promise<string>;
  confirm(question: string): Promise<boolean>;
  /** Releases the terminal (call once, after the run). */
  close?(): void;
}

/** The usage error (exit 2) for a value that would be asked, when there is no terminal to ask on. */
export function missingFlag(flag: string, what: string): UsageError {
  return new UsageError(`${flag}: required without a terminal to ask on: ${what}`);
}

/** Without a terminal: every question is an error naming the flag; confirmation needs --yes. */
export const nonInteractivePrompter: Prompter = {
  interactive: false,
  async choose(question, flag) { throw missingFlag(flag, question); },
  async text(question, flag, defaultValue) {
    if (defaultValue !== undefined) return defaultValue;
    throw missingFlag(flag, question);
  },
  async confirm() { throw new UsageError('--yes: required to change AWS resources without a terminal to confirm on'); },
};

/**
 * Numbered menus on a terminal (reads stdin, writes stderr). One readline interface for the whole run, so
 * type-ahead is not lost between questions; `close()` must be called when the run ends.
 * Ctrl-C at a question stops the run with exit code 130, the end of the input (Ctrl-D) with 1; every question comes
 * before the first change, so in both cases nothing was changed.
 */
export function terminalPrompter(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr): Prompter {
  let rl: Interface | undefined;
  /** Lines typed before their question was asked (type-ahead), oldest first; at most MAX_TYPE_AHEAD kept. */
  const typedAhead: string[] = [];
  let waiting: { resolve(line: string): void; reject(err: Error): void } | undefined;
  /** Why no more answers can come (set when the input ends or Ctrl-C was pressed). */
  let ended: InstallerError | undefined;
  const end = (err: InstallerError): void => {
    ended ??= err;
    if (waiting) { const w = waiting; waiting = undefined; output.write('\n'); w.reject(ended); }
  };
  const ask = (q: string): Promise<string> => {
    if (!rl && !ended) {
      rl = createInterface({ input, output, terminal: true });
      rl.on('line', (line) => {
        if (waiting) { const w = waiting; waiting = undefined; w.resolve(line); } else if (typedAhead.length < MAX_TYPE_AHEAD) typedAhead.push(line);
      });
      rl.on('SIGINT', () => { end(new InstallerError('interrupted: nothing was changed.', 130)); rl?.close(); });
      rl.on('close', () => end(new InstallerError('the input ended before an answer: nothing was changed.', 1)));
    }
    const early = typedAhead.shift();
    if (early !== undefined) { output.write(q + early + '\n'); return Promise.resolve(early.trim()); }
    if (ended || !rl) return Promise.reject(ended ?? new InstallerError('the terminal is closed: nothing was changed.', 1));
    rl.setPrompt(q);
    rl.prompt();
    return new Promise((resolve, reject) => { waiting = { resolve: (line) => resolve(line.trim()), reject }; });
  };
  return {
    interactive: true,
    close() { const r = rl; rl = undefined; waiting = undefined; r?.close(); },
    async choose(question, flag, choices) {
      if (choices.length === 0) throw new InstallerError(`nothing to choose for ${flag}: ${question} found none.`);
      if (choices.length === 1) {
        output.write(`${question}: ${choices[0]?.label ?? choices[0]?.value} (the only one)\n`);
        return (choices[0] as Choice).value;
      }
      output.write(`${question}:\n`);
      choices.forEach((c, i) => output.write(`  ${String(i + 1).padStart(3)}) ${c.label ?? c.value}\n`));
      for (;;) {
        const answer = await ask(`Number or name [1-${choices.length}]: `);
        const n = Number(answer);
        if (Number.isInteger(n) && n >= 1 && n <= choices.length) return (choices[n - 1] as Choice).value;
        const byName = choices.find((c) => c.value === answer);
        if (byName) return byName.value;
        output.write(`"${answer}" is not one of the choices.\n`);
      }
    },
    async text(question, _flag, defaultValue) {
      for (;;) {
        const answer = await ask(`${question}${defaultValue !== undefined ? ` [${defaultValue}]` : ''}: `);
        if (answer !== '') return answer;
        if (defaultValue !== undefined) return defaultValue;
      }
    },
    async confirm(question) {
      const answer = (await ask(`${question} [y/N]: `)).toLowerCase();
      return answer === 'y' || answer === 'yes';
    },
  };
}
