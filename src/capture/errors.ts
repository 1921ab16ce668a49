/**
 * Turns addon failures into CaptureErrors whose message is meant for the user and whose
 * `reason` lets the CLI react (e.g. explain CAP_NET_RAW, list the interfaces that exist).
 */
import { CaptureError } from './types.js';
import type { NativeError } from './native.js';

/** Mirrors the reason tokens of native/pcap_open.h, plus 'not-found' found on the JS side. */
export type CaptureErrorReason =
  | 'not-found'
  | 'open'
  | 'format'
  | 'filter'
  | 'permission'
  | 'no-such-device'
  | 'interface-down'
  | 'live'
  | 'read'
  | 'state';

const REASONS: ReadonlySet<string> = new Set<CaptureErrorReason>([
  'not-found', 'open', 'format', 'filter', 'permission', 'no-such-device', 'interface-down',
  'live', 'read', 'state',
]);

/** A CaptureError that also says what kind of failure it is. */
export class CaptureFailure extends CaptureError {
  readonly reason: CaptureErrorReason;
  constructor(reason: CaptureErrorReason, message: string, byteOffset?: number) {
    super(message, byteOffset);
    this.name = 'CaptureError';
    this.reason = reason;
  }
}

/** True when the failure is a missing capture permission (CAP_NET_RAW / root). */
export function isPermissionError(err: unknown): boolean {
  return err instanceof CaptureFailure && err.reason === 'permission';
}

/** True when the named interface does not exist. */
export function isNoSuchInterface(err: unknown): boolean {
  return err instanceof CaptureFailure && err.reason === 'no-such-device';
}

function reasonOf(err: NativeError): CaptureErrorReason {
  return err.reason !== undefined && REASONS.has(err.reason) ? (err.reason as CaptureErrorReason) : 'open';
}

/** Wraps an error thrown by the addon while opening or reading the file `path`. */
export function fileCaptureError(path: string, err: unknown): CaptureFailure {
  if (err instanceof CaptureFailure) return err;
  const e = err as NativeError;
  const reason = reasonOf(e);
  const detail = String(e?.message ?? err);
  switch (reason) {
    case 'format':
      return new CaptureFailure(reason, `${path} is not a readable pcap or pcapng capture: ${detail}`);
    case 'filter':
      return new CaptureFailure(reason, detail);
    case 'read':
      return e.byteOffset !== undefined
        ? new CaptureFailure(reason, `corrupt capture ${path} at byte ${e.byteOffset}: ${detail}`, e.byteOffset)
        : new CaptureFailure(reason, `cannot read capture ${path}: ${detail}`);
    default:
      return new CaptureFailure(reason, `cannot open capture file ${path}: ${detail}`);
  }
}

/** Wraps an error thrown by the addon while opening or reading the interface `device`. */
export function liveCaptureError(device: string, err: unknown): CaptureFailure {
  if (err instanceof CaptureFailure) return err;
  const e = err as NativeError;
  const reason = reasonOf(e);
  const detail = String(e?.message ?? err);
  switch (reason) {
    case 'permission':
      return new CaptureFailure(reason,
        `no permission to capture on ${device} (needs root or the CAP_NET_RAW capability): ${detail}`);
    case 'no-such-device':
      return new CaptureFailure(reason, `no such interface: ${device} (${detail})`);
    case 'interface-down':
      return new CaptureFailure(reason, `interface ${device} is down: ${detail}`);
    case 'filter':
      return new CaptureFailure(reason, detail);
    default:
      return new CaptureFailure(reason, `capture on ${device} failed: ${detail}`);
  }
}
