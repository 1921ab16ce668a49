/**
 * The composition root of `apidump`: builds capture -> decode -> reassembly -> http -> policy -> export,
 * runs it until the capture ends or a signal arrives, then flushes within a deadline.
 *
 * Exit status: 0 when the capture ended (or was stopped) and exports were flushed; 1 when the capture
 * failed (corrupt file, interface error) after everything read before the failure was written.
 */
import type { Logger } from '../util/logger.js';
import { Counters } from '../util/counters.js';
import type { ApidumpConfig } from './apidump-flags.js';
import { UsageError } from './apidump-flags.js';
import { PacketPump } from '../pipeline/packet-pump.js';
import { StatsReporter } from '../pipeline/stats-reporter.js';
import { PacketDecoder } from '../decode/packet-decoder.js';
import { Assembler } from '../reassembly/assembler.js';
import { HttpStreamFactory } from '../http/http-stream-factory.js';
import { CaptureError, type CaptureSource } from '../capture/types.js';
import { FileCaptureSource } from '../capture/file-source.js';
import type { ExchangeSink, HttpExchange, RequestPolicy } from '../http/types.js';
import { JsonlFileExporter } from '../export/jsonl-file-exporter.js';

/** Fargate gives a stopping container 30 s; keep well inside it. */
const SHUTDOWN_DEADLINE_MS = 20_000;

/** Admits everything (until the policy stage is wired). */
const ADMIT_ALL: RequestPolicy = { admit: () => true };

export async function runApidump(cfg: ApidumpConfig, log: Logger): Promise<number> {
  if (!cfg.pcap) throw new UsageError('--pcap FILE is required until live capture is built');
  if (!cfg.out && !cfg.satelliteUrl) throw new UsageError('nothing to send exchanges to: give --out FILE or --satellite-url URL');

  const counters = new Counters();
  const out = cfg.out ? new JsonlFileExporter(cfg.out, counters) : undefined;
  const sink: ExchangeSink = {
    onExchange(ex: HttpExchange): void {
      counters.inc('exchanges');
      out?.onExchange(ex);
    },
  };
  const http = new HttpStreamFactory(sink, ADMIT_ALL, { maxHttpLength: cfg.maxHttpLength }, counters);
  const assembler = new Assembler(http, { streamTimeoutSec: cfg.streamTimeoutSeconds }, counters);
  const decoder = new PacketDecoder(counters);
  const pump = new PacketPump(decoder, assembler);

  let sources: CaptureSource[];
  try {
    sources = [new FileCaptureSource(cfg.pcap, { filter: cfg.filter })];
  } catch (err) {
    if (err instanceof CaptureError) { log.error(err.message); return 1; }
    throw err;
  }

  const stats = new StatsReporter(log, counters, () => {
    counters.set('capture.packets', pump.packets);
    counters.set('capture.bytes', pump.bytes);
    counters.set('decode.tcp_segments', pump.segments);
    const a = assembler.stats() as unknown as Record<string, number>;
    for (const [k, v] of Object.entries(a)) if (typeof v === 'number') counters.set(`reassembly.${k}`, v);
  });
  stats.start(cfg.statsInterval);
  log.info({ pcap: cfg.pcap, filter: cfg.filter ?? null, out: cfg.out ?? null }, 'capture started');

  const stop = (signal: string) => {
    log.info({ signal }, 'stopping: finishing what is reassembled, then flushing');
    for (const s of sources) s.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  let failed: Error | undefined;
  try {
    await Promise.all(sources.map((s) => s.run(pump)));
  } catch (err) {
    failed = err as Error;
  }
  pump.finish();
  for (const s of sources) s.close();
  await out?.close(SHUTDOWN_DEADLINE_MS);
  stats.stop();
  stats.report('final stats');
  process.removeListener('SIGINT', stop);
  process.removeListener('SIGTERM', stop);
  if (failed) {
    log.error({ err: failed.message }, failed instanceof CaptureError ? 'capture failed' : 'sensor failed');
    return 1;
  }
  return 0;
}
