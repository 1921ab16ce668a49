/**
 * Delivery against a real satellite on 127.0.0.1: outages, recovery, Retry-After, shutdown.
 * Exchanges are identified by their connection id, which both formats carry
 * (levo: remote_net is fixed, so the id is put in the path; otlp: levo.connection.id).
 */
import t from 'tap';
import { Counters } from '../../src/util/counters.js';
import { startSatellite, type Satellite } from '../../src/satellite/server.js';
import { createLevoExporter } from '../../src/export/levo-exporter.js';
import { createOtlpExporter } from '../../src/export/otlp-exporter.js';
import { ExportPipeline } from '../../src/export/pipeline.js';
import type { DeliveryOptions } from '../../src/export/delivery.js';
import { makeExchanges, waitFor } from './fixtures/exchanges.js';

type Format = 'levo' | 'otlp';

/** Exchange ids seen by the satellite, from either format (makeExchanges puts the id in the path). */
function idOf(rec: any): number {
  const path: string = rec.format === 'levo' ? rec.trace.request.headers[':path'] : rec.span.attributes['url.path'];
  return Number(path.split('/').pop());
}

async function satellite(port = 0): Promise<{ sat: Satellite; ids: number[] }> {
  const ids: number[] = [];
  const sat = await startSatellite({ port, out: null, log: () => {}, onRecord: (r) => ids.push(idOf(r)) });
  return { sat, ids };
}

function exporter(format: Format, url: string, counters: Counters, extra: Partial<DeliveryOptions> = {}) {
  const opts: DeliveryOptions = { counters, requestTimeoutMs: 10_000, backoff: { initialMs: 20, maxMs: 100 }, ...extra };
  const target = { satelliteUrl: new URL(url), orgId: 'org', levoEnv: 'test' };
  return format === 'levo' ? createLevoExporter(target, opts) : createOtlpExporter(target, opts);
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}

for (const format of ['levo', 'otlp'] as const) {
  t.test(`${format}: the satellite answers 503 for a while, then 200: every exchange arrives exactly once`, async (t) => {
    const { sat, ids } = await satellite();
    t.teardown(() => sat.close());
    sat.failNext(6, 503);
    const counters = new Counters();
    const p = new ExportPipeline({ counters, exportIntervalMs: 20, batchExporters: [exporter(format, sat.url, counters)],
      maxBatchExchanges: 10 });
    for (const ex of makeExchanges(25)) p.onExchange(ex);
    await new Promise((r) => setTimeout(r, 30));
    for (const ex of makeExchanges(25, 26)) p.onExchange(ex);
    await waitFor(() => ids.length >= 50, 60_000, 'all 50 delivered');
    await p.shutdown(10_000);
    t.equal(sat.stats.injectedFailures, 6, 'the failures happened');
    t.same([...ids].sort((a, b) => a - b), range(1, 50), 'each exactly once');
    t.equal(counters.get('export.exported'), 50);
    t.equal(counters.get('export.failed'), 0);
    t.equal(counters.get('export.dropped.outbox_full'), 0);
    // otlp: the OTel exporter retries 503s itself within one export call, so the outer retry count is not fixed there
    if (format === 'levo') t.equal(counters.get('export.retried'), 6, 'one outer retry per 503');
  });
}

/** A logger that keeps the fields of every warning (the retry warning says how long the exporter waits). */
function warnings(): { logger: DeliveryOptions['logger']; warned: Array<Record<string, unknown>> } {
  const warned: Array<Record<string, unknown>> = [];
  return { warned, logger: { info() {}, error() {}, warn(fields) { warned.push(fields as Record<string, unknown>); } } };
}

t.test('levo: Retry-After is honoured, and clamped to maxRetryAfterMs', async (t) => {
  // The delay the exporter schedules is read from its retry warning (retryInMs), not from a clock:
  // backoff alone would be 20 ms +- 20 % here.
  for (const { maxRetryAfterMs, retryInMs } of [{ maxRetryAfterMs: undefined, retryInMs: 1000 }, { maxRetryAfterMs: 50, retryInMs: 50 }]) {
    const { sat, ids } = await satellite();
    t.teardown(() => sat.close());
    sat.failNext(1, 429, 1);
    const counters = new Counters();
    const { logger, warned } = warnings();
    const exp = exporter('levo', sat.url, counters, { logger, maxRetryAfterMs });
    exp.exportBatch(makeExchanges(1));
    await waitFor(() => ids.length === 1, 30_000, 'delivery after Retry-After');
    await exp.shutdown(Date.now() + 10_000);
    const retries = warned.filter((w) => 'retryInMs' in w);
    t.same(retries.map((w) => w.retryInMs), [retryInMs], `Retry-After: 1 with maxRetryAfterMs ${maxRetryAfterMs}: one retry after ${retryInMs} ms`);
    t.equal(sat.stats.requests, 2, 'the 429, then the retry that delivered');
    t.equal(counters.get('export.exported'), 1);
  }
});

for (const format of ['levo', 'otlp'] as const) t.test(`${format}: satellite absent for a long stretch: bounded memory, counted drops, recovery`, async (t) => {
  // Reserve a port, then leave it closed: connections are refused until the satellite starts there.
  const probe = await satellite();
  const port = probe.sat.port;
  await probe.sat.close();

  const counters = new Counters();
  const maxQueue = 20;
  const maxPendingBatches = 3;
  const p = new ExportPipeline({ counters, exportIntervalMs: 20, maxQueueExchanges: maxQueue, maxBatchExchanges: 5,
    batchExporters: [exporter(format, `http://127.0.0.1:${port}`, counters, { maxPendingBatches })] });
  // Feed at least 50 rounds of 15, and on until the outage has had its effects (retries, drops), however slow
  // the machine.
  const minRetries = format === 'levo' ? 5 : 1;
  const dropped = () => counters.get('export.dropped.queue_full') + counters.get('export.dropped.outbox_full');
  let next = 1;
  let maxPending = 0;
  await waitFor(() => {
    for (const ex of makeExchanges(15, next)) p.onExchange(ex);
    next += 15;
    maxPending = Math.max(maxPending, counters.get(`export.${format}.pending_batches`));
    return next > 750 && dropped() > 0 && counters.get('export.retried') >= minRetries;
  }, 60_000, 'retries and drops during the outage');
  const fedDuringOutage = next - 1;
  t.ok(counters.get('export.queue.depth_max') <= maxQueue, 'queue depth never above its cap');
  t.ok(maxPending <= maxPendingBatches, `outbox never above its cap (saw ${maxPending})`);
  t.ok(dropped() > 0, 'drops counted');
  t.ok(counters.get('export.retried') >= minRetries, 'kept retrying');
  t.equal(counters.get('export.exported'), 0);

  const { sat, ids } = await satellite(port);
  t.teardown(() => sat.close());
  await waitFor(() => counters.get(`export.${format}.pending_batches`) === 0 && p.queueDepth === 0, 60_000, 'backlog drained');
  const after = makeExchanges(10, next);
  for (const ex of after) p.onExchange(ex);
  const total = next + 9;
  await waitFor(() => ids.includes(total), 30_000, 'post-recovery exchanges');
  await p.shutdown(10_000);

  t.same(ids.filter((id) => id > fedDuringOutage).sort((a, b) => a - b), range(next, total), 'everything after recovery arrives');
  t.equal(new Set(ids).size, ids.length, 'no duplicates');
  const accounted = counters.get('export.exported') + counters.get('export.dropped.queue_full')
    + counters.get('export.dropped.outbox_full') + counters.get('export.failed');
  t.equal(accounted, total, 'every exchange is either delivered or counted as dropped/failed');
  t.equal(counters.get('export.exported'), ids.length);
});

for (const format of ['levo', 'otlp'] as const) {
  t.test(`${format}: shutdown in the middle: nothing accepted before it is lost`, async (t) => {
    const { sat, ids } = await satellite();
    t.teardown(() => sat.close());
    const counters = new Counters();
    const p = new ExportPipeline({ counters, exportIntervalMs: 30, maxBatchExchanges: 7,
      batchExporters: [exporter(format, sat.url, counters)] });
    for (const ex of makeExchanges(40)) p.onExchange(ex);
    await waitFor(() => ids.length > 0, 30_000, 'first deliveries');
    sat.failNext(2, 503); // the final flush meets a few failures too
    for (const ex of makeExchanges(60, 41)) p.onExchange(ex); // still queued (interval not yet elapsed)
    await p.shutdown(30_000);
    t.same([...ids].sort((a, b) => a - b), range(1, 100), 'all 100 delivered exactly once');
    t.equal(counters.get('export.failed'), 0);
  });
}

t.test('shutdown deadline: with a satellite that never answers 2xx, shutdown gives up at the deadline; losses counted', async (t) => {
  const { sat, ids } = await satellite();
  t.teardown(() => sat.close());
  sat.failNext(1_000_000, 503);
  const counters = new Counters();
  const p = new ExportPipeline({ counters, exportIntervalMs: 60_000,
    batchExporters: [exporter('levo', sat.url, counters)] });
  for (const ex of makeExchanges(12)) p.onExchange(ex);
  // Without the deadline this shutdown would retry for ever (every answer is a 503): that it resolves at all is
  // the deadline at work; the watchdog only keeps a broken build from hanging the suite.
  let watchdog: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    p.shutdown(400).then(() => 'resolved'),
    new Promise<string>((r) => { watchdog = setTimeout(() => r('still retrying after 60 s'), 60_000); }),
  ]);
  clearTimeout(watchdog);
  t.equal(outcome, 'resolved', 'shutdown gave up at its deadline');
  t.equal(ids.length, 0);
  t.equal(counters.get('export.failed'), 12, 'undelivered exchanges counted as failed');
  t.ok(counters.get('export.retried') >= 1);
});

t.test('shutdown waits for a slow in-flight request within the deadline', async (t) => {
  // A satellite that takes 300 ms to answer: the in-flight request must complete before shutdown resolves.
  const http = await import('node:http');
  const got: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => setTimeout(() => { got.push(Buffer.concat(chunks).toString()); res.end('{}'); }, 300));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }));
  const port = (server.address() as import('node:net').AddressInfo).port;
  const counters = new Counters();
  const p = new ExportPipeline({ counters, exportIntervalMs: 60_000,
    batchExporters: [exporter('levo', `http://127.0.0.1:${port}`, counters)] });
  for (const ex of makeExchanges(3)) p.onExchange(ex);
  await p.shutdown(30_000);
  t.equal(got.length, 1);
  t.equal(counters.get('export.exported'), 3);
});
