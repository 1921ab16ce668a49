/**
 * `--filter`: checked at start-up by compiling it with libpcap for Ethernet (DLT_EN10MB), without opening
 * any capture, so a bad expression is a usage error (exit 2, naming where it came from) rather than a
 * capture failure after start-up. Ethernet is the link type of Linux interfaces, loopback included, and of
 * most capture files. The capture compiles the filter again for the real link type when it opens: an
 * expression valid for Ethernet but not for a file's other link type (`ether host ...` on raw IP) fails then.
 * The check needs the native capture addon: when it cannot load (a copy of the program without build/Release),
 * the value is not refused but the run fails (exit 1) with one line naming the flag, and where its value came
 * from when not the command line (`checkUnavailable`; src/cli/main.ts adds the source).
 */
import { loadAddon, type PcapAddon } from '../capture/native.js';
import { checkUnavailable, UsageError } from './usage-error.js';
import { text } from './values.js';

/** DLT_EN10MB. */
const ETHERNET = 1;

export function bpfFilter(flag: string) {
  return (v: unknown): string => {
    const expression = text(flag, 'a pcap-filter(7) expression', v);
    let addon: PcapAddon;
    try {
      addon = loadAddon();
      if (typeof addon.compileFilter !== 'function') {
        throw new Error('the native capture addon is older than the program; rebuild it with npm run build:native');
      }
    } catch (err) {
      throw checkUnavailable(`--${flag}: cannot check the expression: ${(err as Error).message}`);
    }
    const error = addon.compileFilter(expression, ETHERNET);
    if (error !== null) throw new UsageError(`--${flag}: invalid filter '${expression}': ${error}`);
    return expression;
  };
}
