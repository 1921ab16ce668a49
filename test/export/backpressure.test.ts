/**
 * Backpressure for file runs: a reader that awaits ExportPipeline.whenReady() between batches loses
 * nothing to a slow satellite or a slow --out stream, while the caps still apply to live capture (which
 * never waits) and a failing satellite never stalls the reader.
 */
import t from 'tap';
import { Writable } from 'node:stream';
import { Counters } from '../../src/util/counters.js';
import { startSatellite } from '../../src/satellite/server.js';
import { createLevoExporter } from '../../src/export/levo-exporter.js';
import { JsonlFileExporter } from '../../src/export/jsonl-file-exporter.js';
import { ExportPipeline } from '../../src/export/pipeline.js';
import { makeExchanges, waitFor } from './fixtures/exchanges.js';

/** A satellite that answers every request after `delayMs`. */
async function slowSatellite(delayMs: number) {
  let received = 0;
  const sat = await startSatellite({ port: 0, out: null, log: () => {}, onRecord: () => { received++; } });
  const realUrl = sat.url;
  const http = await import('node:http');
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => setTimeout(() => {
      const up = http.request(new URL(req.url!, realUrl), { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      up.end(Buffer.concat(chunks));
    }, delayMs));
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    received: () => received,
    close: async () => { proxy.close(); await sat.close(); },
  };
}

t.test('a reader that waits loses nothing to a slow satellite; one that does not wait hits the outbox cap', async (t) => {
  const slow = await slowSatellite(30);
  t.teardown(slow.close);
  const run = async (wait: boolean) => {
    const counters = new Counters();
    const exp = createLevoExporter({ satelliteUrl: new URL(slow.url), orgId: 'o', levoEnv: 't' },
      { counters, maxPendingBatches: 4, requestTimeoutMs: 5000 });
    const p = new ExportPipeline({ counters, exportIntervalMs: 10, batchExporters: [exp], maxBatchExchanges: 5 });
    let id = 1;
    for (let batch = 0; batch < 20; batch++) {
      for (const ex of makeExchanges(5, id)) p.onExchange(ex);
      id += 5;
      const ready = wait ? p.whenReady() : null;
      await (ready ?? new Promise((r) => setImmediate(r)));
    }
    await p.shutdown(10_000);
    return counters;
  };
  const before = slow.received();
  const waited = await run(true);
  t.equal(waited.get('export.exported'), 100, 'every exchange delivered');
  t.equal(waited.get('export.dropped.outbox_full'), 0, 'nothing dropped');
  t.equal(slow.received() - before, 100, 'the satellite received all 100');
  const hurried = await run(false);
  t.ok(hurried.get('export.dropped.outbox_full') > 0, `without waiting the outbox cap drops (${hurried.get('export.dropped.outbox_full')})`);
});

t.test('a failing satellite never makes the reader wait', async (t) => {
  const counters = new Counters();
  // nothing listens on this port of the loopback address: every attempt fails at once
  const exp = createLevoExporter({ satelliteUrl: new URL('http://127.0.0.1:9/'), orgId: 'o', levoEnv: 't' },
    { counters, maxPendingBatches: 4, requestTimeoutMs: 200, backoff: { initialMs: 50, maxMs: 100 } });
  const p = new ExportPipeline({ counters, exportIntervalMs: 10, batchExporters: [exp], maxBatchExchanges: 5 });
  for (const ex of makeExchanges(5)) p.onExchange(ex);
  p.handOver();
  await waitFor(() => counters.get('export.retried') >= 1, 30_000, 'the first attempt failed');
  for (let i = 0; i < 10; i++) {
    for (const ex of makeExchanges(5, 10 + i * 5)) p.onExchange(ex);
    t.equal(p.whenReady(), null, `batch ${i}: not asked to wait while the satellite fails`);
  }
  await p.shutdown(300);
});

t.test('--out: the reader waits for the stream to drain instead of dropping lines', async (t) => {
  const counters = new Counters();
  let written = 0;
  const slowStream = new Writable({
    highWaterMark: 1024,
    write(chunk, _enc, cb) { written += String(chunk).split('\n').length - 1; setTimeout(cb, 2); },
  });
  const out = await JsonlFileExporter.open({ path: 'slow', counters, stream: slowStream, maxBufferedBytes: 4096 });
  const p = new ExportPipeline({ counters, exportIntervalMs: 1000, streamExporters: [out] });
  let id = 1;
  for (let batch = 0; batch < 30; batch++) {
    for (const ex of makeExchanges(3, id)) p.onExchange(ex);
    id += 3;
    const ready = p.whenReady();
    await (ready ?? new Promise((r) => setImmediate(r)));
  }
  await p.shutdown(5000);
  t.equal(counters.get('export.jsonl.dropped.backpressure'), 0, 'no line dropped');
  t.equal(written, 90, 'all 90 lines written');
});
