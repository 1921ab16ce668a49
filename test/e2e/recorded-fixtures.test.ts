// The whole program on recorded traffic: every capture in fixtures/captures, as recorded and rewritten
// (reordered, duplicated, split into overlapping pieces, segments dropped), against what the clients and
// servers actually did (<name>.expected.json, written from their own logs; see fixtures/README.md).
import t, { type Test } from 'tap';
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runSensor, REPO_ROOT } from '../util/sensor-run.js';
import { readPcapFile, writePcapFile } from '../util/pcap-file.js';
import { rewritePackets, type RewriteOptions } from '../../fixtures/rewrite.js';

const CAPTURES = join(REPO_ROOT, 'fixtures', 'captures');
const names = readdirSync(CAPTURES).filter((f) => f.endsWith('.pcap')).map((f) => f.slice(0, -5)).sort();
const work = mkdtempSync(join(tmpdir(), 'pcs-e2e-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

interface Expected {
  client_port: number; server_port: number; order_on_connection: number; method: string; target: string;
  host: string | null; request_body_length: number; status: number | null; response_body_length: number;
  informational: number[]; response_encoding: string | null;
}

/** Loss seeds for the 'segments dropped' variant; E2E_DROP_SEEDS=1,2,3 overrides. */
const DROP_SEEDS = (process.env.E2E_DROP_SEEDS ?? '7,8,9,10').split(',').map(Number);

const DAMAGE_FLAGS = ['gap', 'interrupted', 'no_response', 'parse_error', 'truncated'];

function key(port: number, depth: number): string { return `${port}#${depth}`; }

/** What the record says, in the shape of an expected exchange. */
function observed(r: any) {
  return {
    method: r.request.method, target: r.request.target, host: r.request.host,
    request_body_length: r.request.body.length,
    status: r.response ? r.response.status : null,
    response_body_length: r.response ? r.response.body.length : 0,
    informational: r.response ? r.response.informational : [],
    response_encoding: r.response ? r.response.body.encoding : null,
    server_port: r.server.port,
  };
}

function wanted(e: Expected) {
  return {
    method: e.method, target: e.target, host: e.host, request_body_length: e.request_body_length,
    status: e.status, response_body_length: e.response_body_length, informational: e.informational,
    response_encoding: e.response_encoding, server_port: e.server_port,
  };
}

async function sensorOn(pcap: string): Promise<any[]> {
  const res = await runSensor(['apidump', '--pcap', pcap, '--rate-limit', '0', '--log-level', 'warn'], { withOut: true });
  if (res.code !== 0) throw new Error(`sensor failed on ${pcap}: ${res.stderr}`);
  return res.records;
}

function rewritten(name: string, opts: RewriteOptions): { path: string; dropped: number } {
  const file = readPcapFile(join(CAPTURES, `${name}.pcap`));
  const { records, report } = rewritePackets(file.linkType, file.records, opts);
  const path = join(work, `${name}-${opts.seed}-${opts.dropProbability ?? 0}.pcap`);
  writePcapFile(path, { linkType: file.linkType, nano: file.nano, records });
  return { path, dropped: report.dropped.length };
}

for (const name of names) {
  const expected: Expected[] = JSON.parse(readFileSync(join(CAPTURES, `${name}.expected.json`), 'utf8')).exchanges;
  const byKey = new Map(expected.map((e) => [key(e.client_port, e.order_on_connection), e]));

  const exact = (t: Test, records: any[], label: string) => {
    t.equal(records.length, expected.length, `${label}: one exchange per request the clients sent`);
    for (const r of records) {
      const e = byKey.get(key(r.client.port, r.depth));
      if (!e) { t.fail(`${label}: invented exchange ${r.request.method} ${r.request.target} port ${r.client.port} depth ${r.depth}`); continue; }
      t.same(observed(r), wanted(e), `${label}: ${e.method} ${e.target} (port ${e.client_port} #${e.order_on_connection})`);
      t.same(r.flags.filter((f: string) => DAMAGE_FLAGS.includes(f)), [], `${label}: no damage flags on ${e.target}`);
    }
  };

  t.test(`${name}: as recorded`, async (t) => {
    exact(t, await sensorOn(join(CAPTURES, `${name}.pcap`)), 'recorded');
  });

  t.test(`${name}: reordered, duplicated, overlapping`, async (t) => {
    for (const seed of [1, 2]) {
      const { path } = rewritten(name, { seed, reorderWindow: 6, duplicateProbability: 0.1, splitProbability: 0.2, maxOverlap: 40 });
      exact(t, await sensorOn(path), `seed ${seed}`);
    }
  });

  t.test(`${name}: segments dropped`, async (t) => {
    for (const seed of DROP_SEEDS) {
      const { path, dropped } = rewritten(name, { seed, dropProbability: 0.03, reorderWindow: 4 });
      const records = await sensorOn(path);
      let intact = 0;
      for (const r of records) {
        const e = byKey.get(key(r.client.port, r.depth));
        const damaged = r.flags.some((f: string) => DAMAGE_FLAGS.includes(f));
        if (!e) {
          // a request reported at another depth than the clients' order must say it is damaged
          t.ok(damaged, `seed ${seed}: exchange not in the expected list is flagged: ${r.request.method} ${r.request.target} ${JSON.stringify(r.flags)}`);
          continue;
        }
        if (damaged) continue;
        intact++;
        // A loss that swallows whole messages must not shift pairing silently (docs/http.md, "Gaps").
        t.same(observed(r), wanted(e), `seed ${seed}: unflagged exchange is exact: ${e.target} (port ${e.client_port} #${e.order_on_connection})`);
      }
      t.ok(records.length <= expected.length + dropped, `seed ${seed}: no more exchanges than requests (plus one per loss)`);
      t.comment(`seed ${seed}: ${dropped} ranges dropped; ${intact} of ${expected.length} exchanges intact`);
    }
  });
}
