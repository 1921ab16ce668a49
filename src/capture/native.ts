/**
 * Loads the native capture addon (build/Release/pcap_addon.node, built from native/ by
 * `npm run build:native`) and describes its surface. Loaded lazily, once per process.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

/** Live open options; see docs/capture.md for defaults and caps. */
export interface NativeLiveOptions {
  device: string;
  filter?: string;
  /** Bytes captured per packet (pcap_set_snaplen). */
  snaplen?: number;
  /** Kernel ring buffer bytes (pcap_set_buffer_size). */
  bufferBytes?: number;
  /** Ring block retire timeout in ms (pcap_set_timeout): the latency bound of a batch. */
  timeoutMs?: number;
  promiscuous?: boolean;
}

export interface NativeStats {
  packets: number;
  bytes: number;
  /** Packets larger than the whole data buffer, skipped. */
  oversizeSkipped: number;
  /** pcap_stats (live only; 0 for files). */
  received: number;
  kernelDrops: number;
  ifDrops: number;
}

/** Called once per live batch on the event loop; `error` set means the capture stopped. */
export type NativeBatchCallback = (error: NativeError | null, count: number) => void;

/** One libpcap handle writing into the two arrays given to the constructor (kept alive natively). */
export interface NativePcapHandle {
  openOffline(path: string, filter?: string): void;
  openLive(options: NativeLiveOptions): void;
  /** Packets written (> 0), 0 when a live handle has nothing now, -1 at end of file. Throws NativeError. */
  readBatch(): number;
  startLive(callback: NativeBatchCallback): void;
  stopLive(): void;
  stats(): NativeStats;
  /** Idempotent; the handle cannot be reopened. */
  close(): void;
  /** DLT_* value; -1 when not open. */
  readonly linkType: number;
  readonly linkTypeName: string;
  readonly snaplen: number;
}

export interface NativeAddress {
  family: 'ipv4' | 'ipv6';
  address: string;
  netmask?: string;
}

export interface NativeInterface {
  name: string;
  description: string;
  up: boolean;
  running: boolean;
  loopback: boolean;
  addresses: NativeAddress[];
}

/** Errors thrown by the addon: `reason` is a token from native/pcap_open.h. */
export interface NativeError extends Error {
  reason?: string;
  byteOffset?: number;
}

export interface PcapAddon {
  PcapHandle: new (data: Buffer, meta: Uint32Array) => NativePcapHandle;
  listInterfaces(): NativeInterface[];
  libVersion(): string;
  /** Compiles a filter for a DLT_* link type without capturing: null when valid, else libpcap's message. */
  compileFilter(expression: string, linkType: number): string | null;
  /** The JSON redaction pre-check's scan (native/json_keys.cc; contract in src/policy/json-key-filter.ts). */
  jsonKeysMayMatch: (body: Uint8Array, next: Int32Array, ends: Uint8Array, maxKeyBytes: number) => boolean;
}

/** Where the addon is expected, from src/capture/ or dist/capture/ alike. */
export const ADDON_PATH = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'build',
  'Release',
  'pcap_addon.node',
);

let cached: PcapAddon | undefined;

/** Returns the addon; throws an Error telling how to rebuild it when it cannot be loaded. */
export function loadAddon(): PcapAddon {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  try {
    cached = require(ADDON_PATH) as PcapAddon;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const detail = describeLoadFailure(e);
    throw new Error(
      `cannot load the native capture addon ${ADDON_PATH}: ${detail}; rebuild with npm run build:native`,
      { cause: err },
    );
  }
  return cached;
}

function describeLoadFailure(e: NodeJS.ErrnoException): string {
  const msg = String(e?.message ?? e);
  if (e?.code === 'MODULE_NOT_FOUND' || /cannot find module/i.test(msg)) return 'it is not built';
  if (/ELF|wrong architecture|invalid ELF header|cannot open shared object/i.test(msg)) {
    return `it was built for another architecture or is missing a library (${msg.split('\n')[0]})`;
  }
  if (/NODE_MODULE_VERSION|undefined symbol|napi/i.test(msg)) {
    return `it was built for another Node.js ABI (${msg.split('\n')[0]})`;
  }
  return msg.split('\n')[0];
}
