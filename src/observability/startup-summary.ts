/**
 * The fields of the 'capture started' log line: what is captured (interfaces or file, filter), where it
 * goes (satellite, format, environment, org ID masked, --out), and the limits in force. The installed BPF
 * filter, with the self-exclusion clauses, is logged separately by the capture stage ('live capture opened').
 */
import type { ApidumpConfig } from '../cli/apidump-flags.js';
import type { ExportConfig } from '../export/config.js';
import { maskPartially } from '../config/print-config.js';

export function startupSummary(cfg: ApidumpConfig, exp: ExportConfig, captured: string[], metricsUrl: string | null): Record<string, unknown> {
  return {
    mode: cfg.pcap ? 'file' : 'live',
    capture: captured,
    filter: cfg.filter ?? null,
    satellite: exp.satelliteUrl?.href ?? null,
    format: exp.format,
    levoEnv: exp.levoEnv,
    orgId: exp.orgId === '' ? null : maskPartially(exp.orgId),
    out: exp.out,
    exportIntervalMs: exp.exportIntervalMs,
    limits: {
      rateLimitPerMinute: cfg.rateLimit,
      rateLimitPerEndpointPerMinute: cfg.rateLimitPerEndpoint,
      maxHttpLength: cfg.maxHttpLength,
      streamTimeoutSeconds: cfg.streamTimeoutSeconds,
      captureBufferBytes: cfg.pcap ? null : cfg.captureBufferSize,
    },
    policy: {
      hostAllow: cfg.hostAllow, pathAllow: cfg.pathAllow, hostExclusions: cfg.hostExclusions,
      pathExclusions: cfg.pathExclusions, excludeUserAgent: cfg.excludeUserAgent, redaction: cfg.redaction,
    },
    metrics: metricsUrl,
  };
}
