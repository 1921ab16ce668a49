/**
 * Live capture on a set of interfaces feeding one pipeline.
 *
 * Call order:
 *   const sources = await openLiveSources(opts, counters, log);   // throws CaptureFailure, nothing left open
 *   const stats = new LiveStatsPublisher(sources, counters, log);  // publish() on the stats interval
 *   const result = await runAll(sources, pump, log, counters);     // until every source ended
 *   // on SIGINT/SIGTERM: sources.forEach((s) => s.stop())  -> runAll resolves
 *   stats.publish(); sources.forEach((s) => s.close());
 *
 * Interfaces: an empty list means every interface that is up and has an address (lo included:
 * the containers of one ECS task talk over it). The same BPF filter (the user's, plus the
 * self-exclusion clauses of src/capture/self-exclusion.ts) is installed on each.
 *
 * Sources are opened WITHOUT counters: LiveStatsPublisher sums their pcap_stats instead (one
 * source's publishStats would overwrite the others').
 */
import type { Counters } from '../util/counters.js';
import { CaptureFailure, liveCaptureError } from './errors.js';
import { listInterfaces, type CaptureInterface } from './interfaces.js';
import { ADDON_PATH } from './native.js';
import { LiveCaptureSource, DEFAULT_LIVE_SNAPLEN, DEFAULT_LIVE_TIMEOUT_MS } from './live-source.js';
import type { BatchSink, CaptureSource } from './types.js';
import { buildCaptureFilter, resolveExcludedEndpoints, type ExportEndpoint, type LookupAll } from './self-exclusion.js';
import {
  addonLoadMessage, filterFailure, interfaceDownFailure, noInterfacesFailure, noSuchInterfaceFailure, permissionFailure,
} from './capture-errors-help.js';

/**
 * Default kernel ring per interface: 64 MiB. At 250k packets/s a ring slot costs the frame plus
 * ~80 bytes of TPACKET_V3 header, 16-byte aligned: ~400 bytes for the small frames of API traffic
 * (mean ~300 bytes), 1600 bytes for full 1514-byte segments. 64 MiB then holds ~650 ms of small
 * frames, or 160 ms of nothing but full-size frames (3 Gbit/s), which covers a major GC pause or
 * a slow export flush of the single JS thread. bench/live/ measures it (docs/capture.md). Memory:
 * ring pages are locked kernel memory charged to the container, once per captured interface.
 */
export const DEFAULT_CAPTURE_BUFFER_BYTES = 64 * 1024 * 1024;
/** pcap_set_buffer_size below this is raised by the kernel anyway; refuse it to avoid surprises. */
export const MIN_CAPTURE_BUFFER_BYTES = 1024 * 1024;

export interface LiveSourcesOptions {
  /** Interface names (duplicates ignored); empty = every interface up with an address. */
  interfaces: string[];
  /** The user's pcap-filter(7) expression (--filter). */
  filter?: string;
  /** Bytes kept per packet; default 262144. */
  snaplen?: number;
  /** Kernel ring bytes per interface (--capture-buffer-size); default 64 MiB. */
  bufferBytes?: number;
  /** Ring block timeout: latency bound of a batch; default 100 ms. */
  timeoutMs?: number;
  /** The sensor's own export endpoints (satellite URL host:port), never captured. */
  excludeEndpoints: ExportEndpoint[];
  /** DNS lookup used to resolve excludeEndpoints (tests); default dns.promises.lookup. */
  lookup?: LookupAll;
}

interface SetLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Interfaces captured when none is named: up, and at least one address. */
export function defaultInterfaces(all: CaptureInterface[]): string[] {
  return all.filter((i) => i.up && i.addresses.length > 0).map((i) => i.name);
}

/** Lists interfaces; an addon that cannot load becomes a CaptureFailure naming the architecture. */
function interfacesOrExplain(): CaptureInterface[] {
  try {
    return listInterfaces();
  } catch (err) {
    throw new CaptureFailure('open', addonLoadMessage((err as Error).message, ADDON_PATH));
  }
}

/**
 * Opens one LiveCaptureSource per interface. Everything is checked before anything is captured:
 * on any failure the sources already opened are closed and a CaptureFailure says what to do.
 */
export async function openLiveSources(opts: LiveSourcesOptions, counters: Counters, log?: SetLog): Promise<LiveCaptureSource[]> {
  const bufferBytes = opts.bufferBytes ?? DEFAULT_CAPTURE_BUFFER_BYTES;
  if (!Number.isInteger(bufferBytes) || bufferBytes < MIN_CAPTURE_BUFFER_BYTES) {
    throw new CaptureFailure('state', `--capture-buffer-size must be a whole number of bytes >= ${MIN_CAPTURE_BUFFER_BYTES}, got ${bufferBytes}`);
  }
  const existing = interfacesOrExplain();
  const names = opts.interfaces.length > 0 ? [...new Set(opts.interfaces)] : defaultInterfaces(existing);
  if (names.length === 0) throw noInterfacesFailure(existing);
  for (const name of names) {
    if (!existing.some((i) => i.name === name)) throw noSuchInterfaceFailure(name, existing);
  }

  const excluded = await resolveExcludedEndpoints(opts.excludeEndpoints, log, opts.lookup);
  const filter = buildCaptureFilter(opts.filter, excluded);
  const sources: LiveCaptureSource[] = [];
  for (const name of names) {
    try {
      sources.push(new LiveCaptureSource(name, {
        filter,
        snaplen: opts.snaplen ?? DEFAULT_LIVE_SNAPLEN,
        bufferBytes,
        timeoutMs: opts.timeoutMs ?? DEFAULT_LIVE_TIMEOUT_MS,
        promiscuous: true,
      }));
    } catch (err) {
      for (const s of sources) s.close();
      throw explainOpenFailure(name, err, opts.filter, filter, existing);
    }
  }
  counters.set('capture.interfaces', sources.length);
  log?.info({
    interfaces: names,
    filter: filter === '' ? null : filter,
    excluded: excluded.map((e) => `${e.address ?? '*'}:${e.port} (${e.host})`),
    bufferBytes,
  }, 'live capture opened');
  return sources;
}

function explainOpenFailure(
  device: string, err: unknown, userFilter: string | undefined, installed: string, existing: CaptureInterface[],
): Error {
  if (!(err instanceof CaptureFailure)) {
    // the addon failed to load inside the constructor (listInterfaces loaded it, so rare)
    if (err instanceof Error && /native capture addon/.test(err.message)) {
      return new CaptureFailure('open', addonLoadMessage(err.message, ADDON_PATH));
    }
    return liveCaptureError(device, err);
  }
  switch (err.reason) {
    case 'permission': return permissionFailure(device, err);
    case 'no-such-device': return noSuchInterfaceFailure(device, existing);
    case 'interface-down': return interfaceDownFailure(device, err);
    case 'filter': return filterFailure(userFilter, installed, err);
    default: return err;
  }
}

export interface LostInterface {
  interface: string;
  message: string;
}

export interface RunAllResult {
  /** Interfaces whose capture failed while running (the others kept running). */
  lost: LostInterface[];
}

/**
 * Runs every source into one sink until all have ended (stop() on each, or failure). The loss
 * of one interface is logged and counted (capture.interfaces_lost) while the others keep running.
 * Resolves when every source has ended; rejects (CaptureFailure 'live') only if every source failed.
 * Sinks are called one batch at a time: all sources share the JS thread.
 */
export async function runAll(sources: readonly CaptureSource[], sink: BatchSink, log?: SetLog, counters?: Counters): Promise<RunAllResult> {
  const lost: LostInterface[] = [];
  await Promise.all(sources.map((s) => s.run(sink).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    lost.push({ interface: s.name, message });
    counters?.inc('capture.interfaces_lost');
    const left = sources.length - lost.length;
    log?.error({ interface: s.name, err: message, interfacesLeft: left },
      left > 0 ? 'lost an interface; capture continues on the others' : 'lost the last interface');
  })));
  if (sources.length > 0 && lost.length === sources.length) {
    throw new CaptureFailure('live',
      `capture failed on every interface: ${lost.map((l) => `${l.interface}: ${l.message}`).join('; ')}`);
  }
  return { lost };
}
