/**
 * Composition helper: builds the ExportPipeline a resolved ExportConfig asks for.
 *   --out FILE              -> JsonlFileExporter
 *   --satellite-url + otlp  -> OTLP exporter      (POST {url}/v1/traces)
 *   --satellite-url + levo  -> satellite JSON     (POST {url}/1.0/ebpf/traces)
 * Both --out and --satellite-url: both. Neither: a pipeline with no destination (exchanges counted only).
 * The OTLP exporter (and the OpenTelemetry packages under it, about 0.1 s to load) is imported only when
 * that format is chosen, so file runs and the levo format do not pay for it at start-up.
 */
import type { Counters } from '../util/counters.js';
import type { ExportConfig } from './config.js';
import type { DeliveryOptions } from './delivery.js';
import { JsonlFileExporter } from './jsonl-file-exporter.js';
import { createLevoExporter, type SatelliteTarget } from './levo-exporter.js';
import { ExportPipeline, type ExportPipelineOptions } from './pipeline.js';
import type { BatchExporter, ExportLogger, StreamExporter } from './types.js';

/** Caps and timings not exposed as flags; defaults as documented in pipeline.ts and delivery.ts. */
export interface ExportTuning {
  queue?: Pick<ExportPipelineOptions, 'maxQueueExchanges' | 'maxQueueBytes' | 'maxBatchExchanges' | 'maxBatchBytes'>;
  delivery?: Omit<DeliveryOptions, 'counters' | 'logger'>;
  /** Cap on bytes buffered for --out before lines are dropped; default 16 MiB. */
  maxOutBufferedBytes?: number;
  serviceName?: string;
}

/** Rejects when --out cannot be opened (a start-up error). */
export async function createExportPipeline(config: ExportConfig, counters: Counters, logger: ExportLogger,
  tuning: ExportTuning = {}): Promise<ExportPipeline> {
  const streamExporters: StreamExporter[] = [];
  const batchExporters: BatchExporter[] = [];
  if (config.out !== null) {
    streamExporters.push(await JsonlFileExporter.open({
      path: config.out, counters, logger,
      ...(tuning.maxOutBufferedBytes !== undefined ? { maxBufferedBytes: tuning.maxOutBufferedBytes } : {}),
    }));
  }
  if (config.satelliteUrl !== null) {
    const target: SatelliteTarget = {
      satelliteUrl: config.satelliteUrl, orgId: config.orgId, levoEnv: config.levoEnv,
      ...(config.ca !== undefined ? { ca: config.ca } : {}),
      ...(tuning.serviceName !== undefined ? { serviceName: tuning.serviceName } : {}),
    };
    const delivery: DeliveryOptions = { ...tuning.delivery, counters, logger };
    if (config.format === 'levo') batchExporters.push(createLevoExporter(target, delivery));
    else batchExporters.push((await import('./otlp-exporter.js')).createOtlpExporter(target, delivery));
  }
  return new ExportPipeline({
    counters, logger, exportIntervalMs: config.exportIntervalMs, streamExporters, batchExporters, ...tuning.queue,
  });
}
