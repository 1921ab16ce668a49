// The parts of live capture that need no privileges: self-exclusion filters, error help texts,
// runAll with fake sources, and the drop-counter publisher's arithmetic.
import t from 'tap';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCaptureFilter, exportEndpointsFromUrls, resolveExcludedEndpoints, type LookupAll } from '../../src/capture/self-exclusion.js';
import { addonLoadMessage, elfArchitecture } from '../../src/capture/capture-errors-help.js';
import { runAll, defaultInterfaces } from '../../src/capture/live-capture-set.js';
import { LiveStatsPublisher } from '../../src/capture/live-stats.js';
import { ADDON_PATH } from '../../src/capture/native.js';
import { CaptureFailure } from '../../src/capture/errors.js';
import type { BatchSink, CaptureSource, CaptureStats } from '../../src/capture/types.js';
import { Counters } from '../../src/util/counters.js';

t.test('export URLs -> endpoints', async (t) => {
  t.same(exportEndpointsFromUrls(['http://sat.example:9999', 'https://collector', 'http://[fd00::5]:4318/v1/traces', 'http://10.1.2.3']), [
    { host: 'sat.example', port: 9999 },
    { host: 'collector', port: 443 },
    { host: 'fd00::5', port: 4318 },
    { host: '10.1.2.3', port: 80 },
  ]);
  t.throws(() => exportEndpointsFromUrls(['sat:9999x']), /not a URL|unknown scheme/);
});

t.test('resolution: every address once, IP literals as is, unresolvable -> port only', async (t) => {
  const asked: string[] = [];
  const lookup: LookupAll = async (host) => {
    asked.push(host);
    if (host === 'sat') return [{ address: '10.0.0.7', family: 4 }, { address: 'fd00::7', family: 6 }, { address: '10.0.0.7', family: 4 }];
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  };
  const warnings: object[] = [];
  const log = { warn: (o: object) => { warnings.push(o); } };
  const ex = await resolveExcludedEndpoints([
    { host: 'sat', port: 9999 }, { host: '192.0.2.1', port: 4318 }, { host: 'gone', port: 4317 },
  ], log, lookup);
  t.same(asked, ['sat', 'gone'], 'IP literals are not looked up');
  t.same(ex.map((e) => `${e.address}:${e.port}`), ['10.0.0.7:9999', 'fd00::7:9999', '192.0.2.1:4318', 'null:4317']);
  t.equal(warnings.length, 1, 'the unresolvable name is logged');
  await t.rejects(resolveExcludedEndpoints([{ host: 'x', port: 0 }], log, lookup), /port 0/);
});

t.test('the installed BPF expression', async (t) => {
  const ex = [
    { host: 'sat', address: '10.0.0.7', port: 9999 },
    { host: 'sat', address: 'fd00::7', port: 9999 },
  ];
  t.equal(buildCaptureFilter('port 8080 or port 8081', ex),
    '(port 8080 or port 8081) and not (host 10.0.0.7 and tcp port 9999) and not (host fd00::7 and tcp port 9999)',
    'the user filter is parenthesised, so its "or" cannot swallow the exclusion');
  t.equal(buildCaptureFilter(undefined, ex.slice(0, 1)), 'not (host 10.0.0.7 and tcp port 9999)');
  t.equal(buildCaptureFilter('  ', [{ host: 'gone', address: null, port: 4317 }]), 'not (tcp port 4317)');
  t.equal(buildCaptureFilter('tcp', []), 'tcp');
  t.equal(buildCaptureFilter(undefined, []), '');
});

t.test('default interfaces: up and with an address', async (t) => {
  const i = (name: string, up: boolean, addrs: string[]) => ({
    name, description: '', up, running: up, loopback: name === 'lo',
    addresses: addrs.map((a) => ({ family: 'ipv4' as const, address: a })),
  });
  t.same(defaultInterfaces([i('lo', true, ['127.0.0.1']), i('eth0', true, ['10.0.0.2']), i('any', true, []), i('eth1', false, ['10.1.0.2'])]),
    ['lo', 'eth0']);
});

t.test('addon of another architecture: the message names both', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'arch-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const built = elfArchitecture(ADDON_PATH);
  t.equal(built, process.arch, 'the real addon is for this machine');
  // the same file, with e_machine claiming another architecture
  const foreign = join(dir, 'pcap_addon.node');
  copyFileSync(ADDON_PATH, foreign);
  const bytes = readFileSync(foreign);
  const other = process.arch === 'arm64' ? 0x3e : 0xb7;
  bytes.writeUInt16LE(other, 18);
  writeFileSync(foreign, bytes);
  const otherName = process.arch === 'arm64' ? 'x64' : 'arm64';
  t.equal(elfArchitecture(foreign), otherName);
  let loaderError = '';
  try {
    createRequire(import.meta.url)(foreign);
  } catch (err) {
    loaderError = (err as Error).message.split('\n')[0];
  }
  t.ok(loaderError, `the dynamic loader refuses it (${loaderError})`);
  const msg = addonLoadMessage(`cannot load the native capture addon ${foreign}: ${loaderError}`, foreign);
  t.match(msg, new RegExp(`was built for ${otherName} but this process runs on ${process.arch}`));
  t.match(msg, /npm run build:native/);
  t.equal(addonLoadMessage('x', ADDON_PATH), 'x', 'same architecture: message unchanged');
  writeFileSync(join(dir, 'text'), 'not an ELF file at all');
  t.equal(elfArchitecture(join(dir, 'text')), undefined);
});

/** A source that ends when stopped, or fails when told to. */
class FakeSource implements CaptureSource {
  readonly linkType = 1;
  private done?: (err?: Error) => void;
  constructor(readonly name: string) {}
  run(_sink: BatchSink): Promise<void> {
    return new Promise((resolve, reject) => { this.done = (err) => (err ? reject(err) : resolve()); });
  }
  fail(msg: string): void { this.done?.(new CaptureFailure('live', msg)); }
  stop(): void { this.done?.(); }
  stats(): CaptureStats { return { packets: 0, bytes: 0, batches: 0, kernelDrops: 0, ifDrops: 0 }; }
  close(): void {}
}

const tick = () => new Promise((r) => setImmediate(r));
const sink: BatchSink = { onBatch() {} };

t.test('runAll: one lost interface does not end the others', async (t) => {
  const [a, b] = [new FakeSource('eth0'), new FakeSource('lo')];
  const errors: object[] = [];
  const counters = new Counters();
  let settled = false;
  const p = runAll([a, b], sink, { info() {}, warn() {}, error: (o) => { errors.push(o); } }, counters).finally(() => { settled = true; });
  a.fail('capture on eth0 failed: interface disappeared');
  await tick();
  t.equal(settled, false, 'still running on lo');
  t.match(errors, [{ interface: 'eth0', interfacesLeft: 1 }]);
  b.stop();
  const r = await p;
  t.same(r.lost, [{ interface: 'eth0', message: 'capture on eth0 failed: interface disappeared' }]);
  t.equal(counters.get('capture.interfaces_lost'), 1);
});

t.test('runAll: rejects only when every interface failed', async (t) => {
  const [a, b] = [new FakeSource('eth0'), new FakeSource('lo')];
  const p = runAll([a, b], sink);
  a.fail('eth0 went down');
  b.fail('lo went down');
  await t.rejects(p, { name: 'CaptureError', reason: 'live', message: /every interface: .*eth0 went down.*lo went down/ });
  const c = new FakeSource('x');
  const q = runAll([c], sink);
  c.stop();
  t.same(await q, { lost: [] }, 'stopped is not failed');
});

t.test('drop counters: summed over interfaces, monotonic across 32-bit wrap and closed handles', async (t) => {
  let eth = { kernelDrops: 0, ifDrops: 0, packets: 10 };
  let lo = { kernelDrops: 0, ifDrops: 0, packets: 5 };
  const src = (name: string, get: () => typeof eth) => ({ name, stats: () => ({ ...get(), bytes: 0, batches: 0 }) });
  const counters = new Counters();
  const warned: any[] = [];
  const pub = new LiveStatsPublisher([src('eth0', () => eth), src('lo', () => lo)], counters, { warn: (o) => { warned.push(o); } });
  t.same(pub.publish(), [], 'nothing dropped yet');
  t.equal(counters.get('capture.kernel_drops'), 0);
  t.equal(counters.get('capture.if.eth0.packets'), 10);
  eth = { kernelDrops: 2 ** 32 - 10, ifDrops: 3, packets: 20 };
  lo = { kernelDrops: 7, ifDrops: 0, packets: 6 };
  pub.publish();
  t.equal(counters.get('capture.kernel_drops'), 2 ** 32 - 10 + 7);
  t.equal(counters.get('capture.if_drops'), 3);
  eth = { kernelDrops: 5, ifDrops: 3, packets: 30 }; // wrapped: 15 more
  t.same(pub.publish(), [{ interface: 'eth0', kernelDrops: 15, ifDrops: 0 }]);
  t.equal(counters.get('capture.if.eth0.kernel_drops'), 2 ** 32 + 5);
  eth = { kernelDrops: 0, ifDrops: 0, packets: 30 }; // handle closed: stats read as 0
  t.same(pub.publish(), [], 'a closed handle adds nothing');
  t.equal(counters.get('capture.kernel_drops'), 2 ** 32 + 5 + 7, 'totals kept');
  t.equal(warned.length, 3, 'one warning per interface and publish with new drops (eth0+lo, then eth0)');
});

t.test('drain figures: summed over the sources that have them', async (t) => {
  const stats = () => ({ packets: 0, bytes: 0, batches: 0, kernelDrops: 0, ifDrops: 0 });
  let eth = { packets: 0, cut: 0 };
  const counters = new Counters();
  const pub = new LiveStatsPublisher([
    { name: 'eth0', stats, drainStats: () => eth },
    { name: 'lo', stats, drainStats: () => ({ packets: 40, cut: 1 }) },
    { name: 'plain', stats },
  ], counters);
  pub.publish();
  t.equal(counters.get('capture.drain_packets'), 40);
  t.equal(counters.get('capture.drain_cut'), 1);
  eth = { packets: 12, cut: 1 };
  pub.publish();
  t.equal(counters.get('capture.drain_packets'), 52, 'eth0 drained 12 more');
  t.equal(counters.get('capture.drain_cut'), 2, 'two interfaces cut short');
});
