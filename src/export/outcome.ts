/**
 * Whether a run's exports succeeded, judged from the counters at exit, for the exit status of `apidump`.
 *
 * Per destination, delivered and lost exchanges:
 *   satellite  delivered export.exported; lost export.failed (rejected, not encodable, undelivered at the
 *              shutdown deadline) + export.dropped.* (queue or outbox full, after shutdown)
 *   --out      delivered export.jsonl.written; lost export.jsonl.failed + export.jsonl.dropped.backpressure.
 *              Lines not written because standard output was closed by its reader
 *              (export.jsonl.dropped.stdout_closed, `| head`) are not a loss: the reader asked for no more.
 * A file run (--pcap) is complete or failed: it fails when any destination lost any exchange (a file run
 * waits for its destinations, so a loss means one of them failed). A live run fails only when a destination
 * lost exchanges and delivered none (every export failed): live capture drops under load by design, and the
 * counts are in the final stats line either way.
 */
export interface ExportOutcome {
  ok: boolean;
  /** One sentence per failed destination; empty when ok. */
  problems: string[];
}

export interface OutcomeInput {
  fileRun: boolean;
  satellite: boolean;
  out: boolean;
}

function sumPrefix(snap: Record<string, number>, prefix: string): number {
  let n = 0;
  for (const k in snap) if (k.startsWith(prefix)) n += snap[k]!;
  return n;
}

export function exportOutcome(snap: Record<string, number>, run: OutcomeInput): ExportOutcome {
  const v = (k: string): number => snap[k] ?? 0;
  const problems: string[] = [];
  const judge = (what: string, delivered: number, lost: number, detail: string): void => {
    if (lost === 0 || (!run.fileRun && delivered > 0)) return;
    problems.push(`${lost} of ${delivered + lost} exchanges did not reach ${what} (${detail})`);
  };
  if (run.satellite) {
    const failed = v('export.failed');
    const dropped = sumPrefix(snap, 'export.dropped.');
    judge('the satellite', v('export.exported'), failed + dropped, `failed ${failed}, dropped ${dropped}`);
  }
  if (run.out) {
    const failed = v('export.jsonl.failed');
    const dropped = v('export.jsonl.dropped.backpressure');
    judge('--out', v('export.jsonl.written'), failed + dropped, `failed ${failed}, dropped ${dropped}`);
  }
  return { ok: problems.length === 0, problems };
}
