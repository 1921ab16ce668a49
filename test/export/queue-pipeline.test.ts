import t from 'tap';
import { Counters } from '../../src/util/counters.js';
import type { HttpExchange } from '../../src/http/types.js';
import { ExchangeQueue, estimateExchangeBytes } from '../../src/export/exchange-queue.js';
import { ExportPipeline } from '../../src/export/pipeline.js';
import { backoffDelayMs, DEFAULT_BACKOFF, parseRetryAfterMs } from '../../src/export/backoff.js';
import type { BatchExporter, ExportLogger } from '../../src/export/types.js';
import { makeExchange, makeExchanges, waitFor } from './fixtures/exchanges.js';

class RecordingExporter implements BatchExporter {
  readonly name = 'rec';
  batches: number[][] = [];
  closedAt: number | null = null;
  exportBatch(batch: readonly HttpExchange[]): void { this.batches.push(batch.map((e) => e.conn.id)); }
  whenReady(): Promise<void> | null { return null; }
  async shutdown(): Promise<void> { this.closedAt = Date.now(); }
  get ids(): number[] { return this.batches.flat(); }
}

function recordingLogger(): ExportLogger & { warns: string[] } {
  const warns: string[] = [];
  return { warns, info() {}, error() {}, warn(_f: object, msg: string) { warns.push(msg); } };
}

t.test('ExchangeQueue: FIFO, count cap, byte cap, batch caps', async (t) => {
  const q = new ExchangeQueue(3, 10_000);
  const ex = makeExchanges(5);
  t.ok(q.push(ex[0]!, 100));
  t.ok(q.push(ex[1]!, 100));
  t.ok(q.push(ex[2]!, 100));
  t.notOk(q.push(ex[3]!, 100), 'count cap refuses the newest');
  t.equal(q.depth, 3);
  t.equal(q.bytes, 300);
  const b = q.takeBatch(2, 10_000);
  t.same(b.exchanges.map((e) => e.conn.id), [1, 2]);
  t.equal(b.bytes, 200);
  t.ok(q.push(ex[3]!, 100), 'room again; the ring wraps');
  t.ok(q.push(ex[4]!, 100));
  t.same(q.takeBatch(10, 10_000).exchanges.map((e) => e.conn.id), [3, 4, 5]);
  t.equal(q.depth, 0);
  t.equal(q.bytes, 0);

  const small = new ExchangeQueue(100, 1000);
  t.ok(small.push(ex[0]!, 600));
  t.notOk(small.push(ex[1]!, 600), 'byte cap refuses');
  t.ok(small.push(ex[1]!, 400));
  t.same(small.takeBatch(10, 500).exchanges.map((e) => e.conn.id), [1], 'batch byte cap; first always taken');
  t.same(small.takeBatch(10, 500).exchanges.map((e) => e.conn.id), [2]);
  t.throws(() => new ExchangeQueue(0, 1));
});

t.test('estimateExchangeBytes grows with bodies and headers', async (t) => {
  const a = estimateExchangeBytes(makeExchange({ resBody: 'x' }));
  const b = estimateExchangeBytes(makeExchange({ resBody: Buffer.alloc(10_000) }));
  t.ok(b - a >= 9_999, 'body bytes counted');
  const c = estimateExchangeBytes(makeExchange({ resBody: 'x', reqHeaders: [['X-Big', 'v'.repeat(5000)]] }));
  t.ok(c > a + 4000, 'header bytes counted');
});

t.test('backoff grows, is capped, jitters; Retry-After parsing', async (t) => {
  const o = { ...DEFAULT_BACKOFF, initialMs: 100, maxMs: 1000, jitter: 0.2 };
  t.equal(backoffDelayMs(1, o, () => 0.5), 100);
  t.equal(backoffDelayMs(2, o, () => 0.5), 200);
  t.equal(backoffDelayMs(3, o, () => 0.5), 400);
  t.equal(backoffDelayMs(10, o, () => 0.5), 1000, 'capped');
  t.equal(backoffDelayMs(1, o, () => 0), 80, 'jitter low end');
  t.equal(backoffDelayMs(1, o, () => 0.999999), 120, 'jitter high end');
  t.equal(parseRetryAfterMs('3'), 3000);
  t.equal(parseRetryAfterMs(undefined), undefined);
  t.equal(parseRetryAfterMs('soon'), undefined);
  const now = Date.parse('2024-01-01T00:00:00Z');
  t.equal(parseRetryAfterMs('Mon, 01 Jan 2024 00:00:05 GMT', now), 5000);
  t.equal(parseRetryAfterMs('Mon, 01 Jan 2023 00:00:05 GMT', now), 0, 'past date');
});

t.test('pipeline: hands over at the interval, in order, in capped batches', async (t) => {
  const counters = new Counters();
  const rec = new RecordingExporter();
  const p = new ExportPipeline({ counters, exportIntervalMs: 50, batchExporters: [rec], maxBatchExchanges: 4 });
  for (const ex of makeExchanges(10)) p.onExchange(ex);
  t.equal(rec.batches.length, 0, 'nothing handed over synchronously');
  t.equal(counters.get('export.queued'), 10);
  await waitFor(() => rec.ids.length === 10, 30_000, 'hand-over');
  t.same(rec.ids, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  t.ok(rec.batches.every((b) => b.length <= 4), 'batch count cap');
  await p.shutdown(1000);
  t.equal(counters.get('export.queue.depth'), 0);
});

t.test('pipeline: a full queue drops the newest, counts, logs once per interval', async (t) => {
  const counters = new Counters();
  const rec = new RecordingExporter();
  const log = recordingLogger();
  const p = new ExportPipeline({ counters, logger: log, exportIntervalMs: 60_000, batchExporters: [rec],
    maxQueueExchanges: 5, maxBatchExchanges: 100 });
  for (const ex of makeExchanges(8)) p.onExchange(ex);
  t.equal(counters.get('export.queued'), 5);
  t.equal(counters.get('export.dropped.queue_full'), 3);
  t.equal(counters.get('export.queue.depth_max'), 5);
  t.equal(log.warns.length, 0, 'not logged per drop');
  await p.shutdown(1000);
  t.same(rec.ids, [1, 2, 3, 4, 5], 'the oldest five were kept, the newest dropped');
  t.equal(log.warns.filter((m) => /queue full/.test(m)).length, 1, 'one summary line');
  p.onExchange(makeExchange({ id: 99 }));
  t.equal(counters.get('export.dropped.after_shutdown'), 1);
  t.ok(rec.closedAt !== null, 'exporter shut down');
});

t.test('pipeline: a full batch is handed over without waiting for the interval', async (t) => {
  const counters = new Counters();
  const rec = new RecordingExporter();
  const p = new ExportPipeline({ counters, exportIntervalMs: 60_000, batchExporters: [rec], maxBatchExchanges: 3 });
  for (const ex of makeExchanges(3)) p.onExchange(ex);
  // the interval is 60 s: a wait of at most 30 s tells an early hand-over from one at the interval
  await waitFor(() => rec.ids.length === 3, 30_000, 'early hand-over');
  t.same(rec.batches, [[1, 2, 3]], 'one full batch');
  await p.shutdown(100);
});

t.test('pipeline: stream exporters see every exchange at once; no queue without batch exporters', async (t) => {
  const counters = new Counters();
  const seen: number[] = [];
  const p = new ExportPipeline({ counters, exportIntervalMs: 1000, streamExporters: [{
    name: 's', write: (ex) => { seen.push(ex.conn.id); }, whenReady: () => null, shutdown: async () => {},
  }] });
  for (const ex of makeExchanges(3)) p.onExchange(ex);
  t.same(seen, [1, 2, 3]);
  t.equal(p.queueDepth, 0);
  t.equal(counters.get('export.queued'), 0);
  await p.shutdown(100);
});

t.test('pipeline: one throwing exporter does not stop the others', async (t) => {
  const counters = new Counters();
  const rec = new RecordingExporter();
  const bad: BatchExporter = { name: 'bad', exportBatch() { throw new Error('boom'); }, whenReady: () => null, shutdown: async () => {} };
  const p = new ExportPipeline({ counters, exportIntervalMs: 60_000, batchExporters: [bad, rec] });
  for (const ex of makeExchanges(2)) p.onExchange(ex);
  await p.shutdown(100);
  t.same(rec.ids, [1, 2]);
  t.equal(counters.get('export.failed'), 2);
});
