/**
 * Start-up failures to open an output file (--out of `apidump` and of `satellite`): one line for the user,
 * naming the flag, the path and the reason in plain words, never a stack. The commands treat it as a
 * runtime failure (exit 1), like a --pcap file that cannot be read. `errnoReason` words the system's error
 * codes for these messages and for the satellite's listen errors.
 */
export class OutputOpenError extends Error {
  override name = 'OutputOpenError';
}

const REASONS: Record<string, string> = {
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EADDRINUSE: 'the address is already in use',
  EADDRNOTAVAIL: 'the address is not one of this machine\'s',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
};

/** Why a system call failed, in words (the code's meaning when known, else the error's message). */
export function errnoReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e.code !== undefined ? REASONS[e.code] : undefined) ?? e.message ?? String(err);
}

/** `flag: cannot write "path": reason`. */
export function outputOpenError(flag: string, path: string, err: unknown): OutputOpenError {
  return new OutputOpenError(`${flag}: cannot write ${JSON.stringify(path)}: ${errnoReason(err)}`);
}
