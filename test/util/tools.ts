/** Which external tools (tshark, mergecap, tcpdump, ...) this machine has, for tests that compare with them. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** True when every named command runs with the given version flag. */
export async function haveTools(names: string[], versionFlag = '-v'): Promise<boolean> {
  try {
    for (const n of names) await run(n, [versionFlag]);
    return true;
  } catch {
    return false;
  }
}
