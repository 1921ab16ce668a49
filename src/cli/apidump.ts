/**
 * The composition root of `apidump`: builds capture -> decode -> reassembly -> http -> policy -> export,
 * runs it until the capture ends or a signal arrives, then flushes within a deadline.
 *
 * Exit status: 0 when the capture ended (or was stopped by SIGINT/SIGTERM) and exports were flushed;
 * 1 when --out cannot be opened (checked before capture starts), when the capture failed (corrupt file,
 * interface error) after everything read before the failure was exported, or when the exports failed
 * (src/export/outcome.ts: in a file run any exchange lost, live every export failed); 2 for a
 * configuration error (thrown as UsageError before anything starts). Standard output closed by its
 * reader (`--out - | head`) ends --out alone and does not change the status.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { Logger } from '../util/logger.js';
import { Counters } from '../util/counters.js';
import { UsageError, type ApidumpConfig } from './apidump-flags.js';
import { SensorPipeline } from '../pipeline/sensor-pipeline.js';
import { StatsReporter } from '../pipeline/stats-reporter.js';
import { CaptureError, type CaptureSource } from '../capture/types.js';
import { FileCaptureSource } from '../capture/file-source.js';
import { openLiveSources, runAll } from '../capture/live-capture-set.js';
import { exportEndpointsFromUrls } from '../capture/self-exclusion.js';
import { LiveStatsPublisher } from '../capture/live-stats.js';
import { PolicyConfigError } from '../policy/index.js';
import { resolveExportConfig, ExportConfigError, type ExportConfig } from '../export/config.js';
import { createExportPipeline } from '../export/create-export.js';
import { errnoReason, OutputOpenError } from '../export/open-error.js';
import { exportOutcome } from '../export/outcome.js';
import type { ExportPipeline } from '../export/pipeline.js';
import { HealthMonitor, type HealthProbes } from '../observability/health-monitor.js';
import { startMetricsServer, type MetricsServer } from '../observability/metrics-server.js';
import { startupSummary } from '../observability/startup-summary.js';
import { fileSize, RunProgress } from './run-progress.js';
import { exchangesFound, renderRunSummary } from './run-summary.js';

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

/** Bind addresses that mean "every address" for the metrics server. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
/** A host name that never resolves (".invalid", RFC 6761), standing for "every host" in self-exclusion. */
const ANY_HOST = 'any-address.invalid';

/** Fargate gives a stopping container 30 s before SIGKILL; flushing must end well inside it. */
const SHUTDOWN_DEADLINE_MS = 20_000;

function exportConfig(cfg: ApidumpConfig): ExportConfig {
  try {
    return resolveExportConfig({
      satelliteUrl: cfg.satelliteUrl, levoEnv: cfg.levoEnv, levoaiOrgId: cfg.levoaiOrgId,
      exportIntervalMs: cfg.exportIntervalMs, exportFormat: cfg.exportFormat,
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
    return [new FileCaptureSource(cfg.pcap, { filter: cfg.filter, counters, batch: FILE_BATCH })];
  }
  const exclude = exportEndpointsFromUrls(expCfg.satelliteUrl ? [expCfg.satelliteUrl.href] : []);
  // the metrics server's own traffic (health checks, scrapes) is never captured either
  if (cfg.metricsPort > 0) exclude.push({ host: WILDCARD_HOSTS.has(cfg.metricsHost) ? ANY_HOST : cfg.metricsHost, port: cfg.metricsPort });
  return openLiveSources({
    interfaces: cfg.interface,
    filter: cfg.filter,
    bufferBytes: cfg.captureBufferSize,
    excludeEndpoints: exclude,
    // ANY_HOST resolves to no address: excluded by port alone (a server on 0.0.0.0 answers on every address)
    lookup: (host, opts) => (host === ANY_HOST ? Promise.resolve([]) : dnsLookup(host, opts)),
  }, counters, log);
}

/** What /healthz watches: the capture loop (live only) and the satellite export (when there is one). */
function healthProbes(cfg: ApidumpConfig, expCfg: ExportConfig, sources: CaptureSource[], pipeline: SensorPipeline, counters: Counters): HealthProbes {
  const probes: HealthProbes = {};
  if (!cfg.pcap) {
    probes.delivered = () => pipeline.pump.packets;
    probes.kernelSeen = () => {
      let n = 0;
      for (const s of sources) {
        try {
          const st = s.stats();
          n += st.kernelDrops + st.ifDrops + (st.received ?? 0);
        } catch { /* a closed or lost interface: its totals no longer move */ }
      }
      return n;
    };
  }
  if (expCfg.satelliteUrl !== null) {
    probes.exportSucceeded = () => counters.get('export.exported');
    probes.exportFailed = () => counters.get('export.retried') + counters.get('export.failed');
  }
  return probes;
}

export async function runApidump(cfg: ApidumpConfig, log: Logger): Promise<number> {
  const counters = new Counters();
  const expCfg = exportConfig(cfg);
  for (const w of expCfg.warnings) log.warn(w);

  // destinations first: an --out that cannot be written stops the run before any capture starts
  let exporter: ExportPipeline;
  try {
    exporter = await createExportPipeline(expCfg, counters, log, cfg.pcap ? FILE_EXPORT_TUNING : {});
  } catch (err) {
    if (err instanceof OutputOpenError) { log.error(err.message); return 1; }
    throw err;
  }
  let sources: CaptureSource[];
  let pipeline: SensorPipeline;
  try {
    sources = await openSources(cfg, expCfg, counters, log);
  } catch (err) {
    await exporter.shutdown(0);
    if (err instanceof CaptureError) { log.error(err.message); return 1; }
    throw err;
  }
  try {
    pipeline = buildPipeline(cfg, exporter, counters);
  } catch (err) {
    for (const s of sources) s.close();
    await exporter.shutdown(0);
    throw err;
  }

  const live = cfg.pcap ? undefined : new LiveStatsPublisher(sources, counters, log);
  if (cfg.pcap) pipeline.pump.readiness = exporter;
  const stats = new StatsReporter(log, counters, () => { pipeline.publish(); live?.publish(); });
  const health = new HealthMonitor(healthProbes(cfg, expCfg, sources, pipeline, counters), {
    captureStallMs: cfg.healthCaptureStallSeconds * 1000, exportFailureMs: cfg.healthExportFailureSeconds * 1000,
  });
  let metrics: MetricsServer | undefined;
  if (cfg.metricsPort > 0) {
    try {
      metrics = await startMetricsServer({
        host: cfg.metricsHost, port: cfg.metricsPort, snapshot: () => stats.refresh(), health: () => health.status(),
      });
    } catch (err) {
      log.error(`--metrics-port: cannot listen on ${cfg.metricsHost}:${cfg.metricsPort}: ${errnoReason(err)}`);
      for (const s of sources) s.close();
      await exporter.shutdown(0);
      return 1;
    }
  }
  stats.start(cfg.statsInterval);
  health.start();
  log.info(startupSummary(cfg, expCfg, sources.map((s) => s.name), metrics?.url ?? null), 'capture started');
  // a file run on a terminal: a progress line (not when --out - writes lines to the same terminal), and a
  // readable summary instead of the final stats line
  const terminal = Boolean(cfg.pcap && process.stderr.isTTY);
  const progress = terminal && !(expCfg.out === '-' && process.stdout.isTTY) ? new RunProgress(cfg.pcap!, {
    packets: () => pipeline.pump.packets, bytes: () => pipeline.pump.bytes, exchanges: () => exchangesFound((k) => counters.get(k)),
  }) : null;
  const startedAt = Date.now();
  progress?.start();

  // the shutdown deadline counts from the signal: draining the capture is part of the time allowed
  let stoppedAt: number | null = null;
  const stop = (signal: string): void => {
    stoppedAt ??= Date.now();
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
  progress?.stop(failed === undefined);
  for (const s of sources) s.close();
  await exporter.shutdown(SHUTDOWN_DEADLINE_MS - (stoppedAt === null ? 0 : Date.now() - stoppedAt));
  health.stop();
  await metrics?.close();
  stats.stop();
  const final = terminal ? stats.refresh() : stats.report('final stats');
  if (terminal) {
    log.debug({ stats: final }, 'final stats');
    process.stderr.write(renderRunSummary(final, {
      file: cfg.pcap!, fileBytes: fileSize(cfg.pcap!), elapsedSec: (Date.now() - startedAt) / 1000, out: expCfg.out,
      satelliteUrl: expCfg.satelliteUrl?.href ?? null, exportFormat: String(expCfg.format), rateLimit: cfg.rateLimit,
      rateLimitPerEndpoint: cfg.rateLimitPerEndpoint, maxHttpLength: cfg.maxHttpLength, streamTimeoutSeconds: cfg.streamTimeoutSeconds,
    }));
  }
  process.removeListener('SIGINT', stop);
  process.removeListener('SIGTERM', stop);
  const outcome = exportOutcome(final, { fileRun: Boolean(cfg.pcap), satellite: expCfg.satelliteUrl !== null, out: expCfg.out !== null });
  for (const p of outcome.problems) log.error(`export failed: ${p}`);
  if (failed) {
    log.error(failed instanceof CaptureError ? failed.message : { err: failed }, 'capture failed');
    return 1;
  }
  return outcome.ok ? 0 : 1;
}
