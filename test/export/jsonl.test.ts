import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Counters } from '../../src/util/counters.js';
import { JsonlFileExporter } from '../../src/export/jsonl-file-exporter.js';
import { ExportPipeline } from '../../src/export/pipeline.js';
import { createExportPipeline } from '../../src/export/create-export.js';
import { resolveExportConfig } from '../../src/export/config.js';
import { startSatellite } from '../../src/satellite/server.js';
import { makeExchange, makeExchanges, waitFor } from './fixtures/exchanges.js';

t.test('--out FILE keeps every line while the event loop never turns (live capture under load)', async (t) => {
  // 6,000 exchanges with 8 KiB bodies (~66 MiB of JSON) written in one synchronous burst: an asynchronous
  // file stream could not write any of it before the loop turns and would drop past its 16 MiB cap.
  const dir = mkdtempSync(join(tmpdir(), 'export-jsonl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'burst.jsonl');
  const counters = new Counters();
  const file = await JsonlFileExporter.open({ path, counters });
  const body = 'x'.repeat(8192);
  for (let i = 1; i <= 6000; i++) file.write(makeExchange({ id: i, reqBody: body }));
  await file.shutdown(Date.now() + 5000);
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  t.equal(lines.length, 6000, 'all 6000 lines on disk');
  t.equal(counters.get('export.jsonl.dropped.backpressure'), 0, 'none dropped');
  t.equal(JSON.parse(lines[5999]!).connection_id, 6000, 'the last one intact');
});

t.test('--out FILE: one record line per exchange, complete after shutdown', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'export-jsonl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'out.jsonl');
  const counters = new Counters();
  const file = await JsonlFileExporter.open({ path, counters });
  const p = new ExportPipeline({ counters, exportIntervalMs: 60_000, streamExporters: [file] });
  p.onExchange(makeExchange({ id: 1, reqBody: 'abc', startNsec: 7 }));
  for (const ex of makeExchanges(99, 2)) p.onExchange(ex);
  await p.shutdown(2000);
  const lines = readFileSync(path, 'utf8').split('\n');
  t.equal(lines.pop(), '', 'ends with a newline');
  t.equal(lines.length, 100);
  const first = JSON.parse(lines[0]!);
  t.equal(first.connection_id, 1);
  t.equal(first.request.body.base64, Buffer.from('abc').toString('base64'));
  t.equal(first.start_ns, '1700000000000000007');
  t.same(first.client, { ip: '10.1.2.3', port: 51234 });
  t.same(lines.map((l) => JSON.parse(l).connection_id), Array.from({ length: 100 }, (_, i) => i + 1), 'in arrival order');
  t.equal(counters.get('export.jsonl.written'), 100);
});

t.test('--out with an unwritable path is a start-up error', async (t) => {
  await t.rejects(JsonlFileExporter.open({ path: '/nonexistent-dir/x/out.jsonl', counters: new Counters() }));
});

t.test('a stalled output stream costs bounded memory: lines past the cap are dropped and counted', async (t) => {
  const counters = new Counters();
  let release: (() => void) | null = null;
  let written = 0;
  const stalled = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, cb) { written += chunk.length; release = cb; }, // never calls back until released
  });
  const file = await JsonlFileExporter.open({ path: 'mem', counters, stream: stalled, maxBufferedBytes: 20_000 });
  for (const ex of makeExchanges(200)) file.write(ex);
  t.ok(stalled.writableLength <= 20_000 + 2000, `buffer stays near the cap (${stalled.writableLength})`);
  t.ok(counters.get('export.jsonl.dropped.backpressure') > 0, 'drops counted');
  t.equal(counters.get('export.jsonl.backpressure'), 1, 'one backpressure episode');
  // Let the stream drain: shutdown then completes, and every line taken is reported written.
  const drain = setInterval(() => { const r = release; release = null; r?.(); }, 1);
  await file.shutdown(Date.now() + 30_000);
  clearInterval(drain);
  t.ok(written > 0);
  t.equal(counters.get('export.jsonl.written') + counters.get('export.jsonl.dropped.backpressure'), 200);
});

t.test('createExportPipeline: --out and --satellite-url together send to both', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'export-both-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const satOut = join(dir, 'sat.jsonl');
  const sat = await startSatellite({ port: 0, out: satOut, log: () => {} });
  const path = join(dir, 'out.jsonl');
  const counters = new Counters();
  const cfg = resolveExportConfig({ satelliteUrl: sat.url, out: path, exportFormat: 'levo', exportIntervalMs: 50,
    levoaiOrgId: 'org-both' });
  const p = await createExportPipeline(cfg, counters, { info() {}, warn() {}, error() {} });
  for (const ex of makeExchanges(5)) p.onExchange(ex);
  await waitFor(() => sat.stats.levoTraces === 5, 30_000, 'satellite');
  await p.shutdown(1000);
  await sat.close();
  t.equal(readFileSync(path, 'utf8').trim().split('\n').length, 5, 'local file');
  const satLines = readFileSync(satOut, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.equal(satLines.length, 5, 'satellite output file, one line per trace');
  t.ok(satLines.every((r) => r.format === 'levo' && r.org_id === 'org-both'));
});
