/**
 * The composition root of `apidump`: builds capture -> decode -> reassembly -> http -> policy -> export,
 * runs it until the capture ends or a signal arrives, then flushes within a deadline.
 *
 * Exit status: 0 when the capture ended (or was stopped by SIGINT/SIGTERM) and exports were flushed;
 * 1 when the capture failed (corrupt file, interface error) after everything read before the failure
 * was exported; 2 for a configuration error (thrown as UsageError before anything starts).
 */
import type { Logger } from '../util/logger.js';
import { Counters } from '../util/counters.js';
import { UsageError, type ApidumpConfig } from './apidump-flags.js';
import { SensorPipeline } from '../pipeline/sensor-pipeline.js';
import { StatsReporter } from '../pipeline/stats-reporter.js';
import { CaptureError, type CaptureSource } from '../capture/types.js';
import { FileCaptureSource } from '../capture/file-source.js';
import { openLiveSources, runAll, MIN_CAPTURE_BUFFER_BYTES } from '../capture/live-capture-set.js';
import { exportEndpointsFromUrls } from '../capture/self-exclusion.js';
import { LiveStatsPublisher } from '../capture/live-stats.js';
import { PolicyConfigError } from '../policy/index.js';
import { resolveExportConfig, ExportConfigError, type ExportConfig } from '../export/config.js';
import { createExportPipeline } from '../export/create-export.js';
import type { ExportPipeline } from '../export/pipeline.js';

/**
 * Batches read from a file: 2 MiB (over any real snaplen) and 4096 packets. Small enough that one batch's
 * exchanges fit the --out buffer, so backpressure between batches keeps a file run lossless; large enough
 * that the per-batch cost is negligible.
 */
const FILE_BATCH = { dataBytes: 2 * 1024 * 1024, maxPackets: 4096 };

/**
 * A file run waits for --out between batches, so its buffer only fills in bursts (the exchanges flushed at
 * the end of the capture): allow 256 MiB there rather than dropping lines. Live capture keeps the 16 MiB cap.
 */
const FILE_EXPORT_TUNING = { maxOutBufferedBytes: 256 * 1024 * 1024 };

/** Fargate gives a stopping container 30 s before SIGKILL; flushing must end well inside it. */
const SHUTDOWN_DEADLINE_MS = 20_000;

function exportConfig(cfg: ApidumpConfig): ExportConfig {
  try {
    return resolveExportConfig({
      satelliteUrl: cfg.satelliteUrl, levoEnv: cfg.levoEnv, levoaiOrgId: cfg.levoaiOrgId,
      traceExportInterval: cfg.traceExportInterval, exportFormat: cfg.exportFormat,
      satelliteCa: cfg.satelliteCa, out: cfg.out,
    });
  } catch (err) {
    if (err instanceof ExportConfigError) throw new UsageError(err.message);
    throw err;
  }
}

function buildPipeline(cfg: ApidumpConfig, sink: ExportPipeline, counters: Counters): SensorPipeline {
  try {
    return new SensorPipeline({
      policy: {
        hostAllow: cfg.hostAllow, pathAllow: cfg.pathAllow, hostExclusions: cfg.hostExclusions,
        pathExclusions: cfg.pathExclusions, excludeUserAgent: cfg.excludeUserAgent,
        rateLimit: cfg.rateLimit, rateLimitPerEndpoint: cfg.rateLimitPerEndpoint,
      },
      redaction: { enabled: cfg.redaction, extraHeaders: cfg.redactHeader, extraBodyFields: cfg.redactBodyField },
      assembler: { streamTimeoutSec: cfg.streamTimeoutSeconds },
      http: { maxHttpLength: cfg.maxHttpLength },
    }, sink, counters);
  } catch (err) {
    if (err instanceof PolicyConfigError || err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
}

/** A file, or every live interface asked for (each with the sensor's own export traffic filtered out). */
async function openSources(cfg: ApidumpConfig, expCfg: ExportConfig, counters: Counters, log: Logger): Promise<CaptureSource[]> {
  if (cfg.pcap) {
    if (cfg.interface.length > 0) throw new UsageError('--pcap and --interface exclude each other: read a file or capture live');
    return [new FileCaptureSource(cfg.pcap, { filter: cfg.filter, counters, batch: FILE_BATCH })];
  }
  if (cfg.captureBufferSize < MIN_CAPTURE_BUFFER_BYTES) {
    throw new UsageError(`--capture-buffer-size: at least ${MIN_CAPTURE_BUFFER_BYTES} bytes`);
  }
  return openLiveSources({
    interfaces: cfg.interface,
    filter: cfg.filter,
    bufferBytes: cfg.captureBufferSize,
    excludeEndpoints: exportEndpointsFromUrls(expCfg.satelliteUrl ? [expCfg.satelliteUrl.href] : []),
  }, counters, log);
}

export async function runApidump(cfg: ApidumpConfig, log: Logger): Promise<number> {
  const counters = new Counters();
  const expCfg = exportConfig(cfg);
  if (expCfg.satelliteUrl === null && expCfg.out === null) {
    throw new UsageError('nothing to send exchanges to: give --out FILE (- for stdout) and/or --satellite-url URL');
  }
  for (const w of expCfg.warnings) log.warn(w);

  let sources: CaptureSource[];
  try {
    sources = await openSources(cfg, expCfg, counters, log);
  } catch (err) {
    if (err instanceof CaptureError) { log.error(err.message); return 1; }
    throw err;
  }
  let exporter: ExportPipeline;
  let pipeline: SensorPipeline;
  try {
    exporter = await createExportPipeline(expCfg, counters, log, cfg.pcap ? FILE_EXPORT_TUNING : {});
    pipeline = buildPipeline(cfg, exporter, counters);
  } catch (err) {
    for (const s of sources) s.close();
    throw err;
  }

  const live = cfg.pcap ? undefined : new LiveStatsPublisher(sources, counters, log);
  if (cfg.pcap) pipeline.pump.readiness = exporter;
  const stats = new StatsReporter(log, counters, () => { pipeline.publish(); live?.publish(); });
  stats.start(cfg.statsInterval);
  log.info({
    capture: sources.map((s) => s.name), filter: cfg.filter ?? null, out: cfg.out ?? null,
    satellite: expCfg.satelliteUrl?.href ?? null, format: expCfg.format, rateLimit: cfg.rateLimit,
  }, 'capture started');

  const stop = (signal: string): void => {
    log.info({ signal }, 'stopping: finishing what is reassembled, then flushing');
    for (const s of sources) s.stop();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  let failed: Error | undefined;
  try {
    if (live) await runAll(sources, pipeline.pump, log, counters);
    else await Promise.all(sources.map((s) => s.run(pipeline.pump)));
  } catch (err) {
    failed = err as Error;
    for (const s of sources) s.stop();
  }
  pipeline.pump.finish();
  for (const s of sources) s.close();
  await exporter.shutdown(SHUTDOWN_DEADLINE_MS);
  stats.stop();
  stats.report('final stats');
  process.removeListener('SIGINT', stop);
  process.removeListener('SIGTERM', stop);
  if (failed) {
    log.error(failed instanceof CaptureError ? failed.message : { err: failed }, 'capture failed');
    return 1;
  }
  return 0;
}
