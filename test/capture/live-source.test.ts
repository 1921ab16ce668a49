// LiveCaptureSource inside network namespaces this test creates (and deletes).
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LiveCaptureSource } from '../../src/capture/live-source.js';
import { CaptureFailure, isNoSuchInterface } from '../../src/capture/errors.js';
import { listInterfaces } from '../../src/capture/interfaces.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'live-child.ts');
const isRoot = process.getuid?.() === 0;
const hasIp = spawnSync('ip', ['-V']).status === 0;
const canNetns = isRoot && hasIp;
const tag = `${process.pid.toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const NS_A = `capA-${tag}`;
const NS_B = `capB-${tag}`;
// 10.231.x.0/24 exists only inside the two namespaces made here.
const SUBNET = `10.231.${process.pid % 250}`;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'ignore' });
}

interface ChildResult {
  error?: { name: string; reason: string; message: string };
  runError?: string;
  linkType?: number;
  payloads?: string[];
  batchSizes?: number[];
  badTimestamps?: number;
  stats?: { packets: number; kernelDrops: number; ifDrops: number };
}

/** Runs live-child.ts in namespace `ns`, optionally through a privilege-dropping wrapper. */
function runChild(ns: string, device: string, destination: string, count: number, wrapper: string[] = [], action = ''): ChildResult {
  const node = [process.execPath, ...process.execArgv, '--import', '@tapjs/typescript/import', CHILD, device, destination, String(count), action];
  const r = spawnSync('ip', ['netns', 'exec', ns, ...wrapper, ...node], {
    encoding: 'utf8',
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
    timeout: 30000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as ChildResult;
  } catch {
    throw new Error(`child failed (status ${r.status}): ${r.stderr}\n${r.stdout}`);
  }
}

t.test('an unknown interface is recognisable, and the real ones can be listed', async (t) => {
  const names = listInterfaces().map((i) => i.name);
  t.ok(names.includes('lo'), 'lo is listed');
  const lo = listInterfaces().find((i) => i.name === 'lo')!;
  t.ok(lo.loopback && lo.up, 'lo is up and loopback');
  t.ok(lo.addresses.some((a) => a.family === 'ipv4' && a.address === '127.0.0.1'), 'lo has 127.0.0.1');
  const missing = `nosuch${tag}`.slice(0, 15);
  let error: unknown;
  try {
    new LiveCaptureSource(missing).close();
  } catch (err) {
    error = err;
  }
  t.ok(isNoSuchInterface(error), 'reason no-such-device');
  t.match((error as CaptureFailure).message, `no such interface: ${missing}`);
});

t.test('live capture in fresh network namespaces', { skip: canNetns ? false : 'needs root and iproute2' }, async (t) => {
  t.teardown(() => {
    for (const ns of [NS_A, NS_B]) spawnSync('ip', ['netns', 'del', ns]);
  });
  ip('netns', 'add', NS_A);
  ip('netns', 'add', NS_B);
  ip('-n', NS_A, 'link', 'set', 'lo', 'up');
  ip('-n', NS_A, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', NS_B);
  ip('-n', NS_A, 'addr', 'add', `${SUBNET}.1/24`, 'dev', 'va');
  ip('-n', NS_B, 'addr', 'add', `${SUBNET}.2/24`, 'dev', 'vb');
  ip('-n', NS_A, 'link', 'set', 'va', 'up');
  ip('-n', NS_B, 'link', 'set', 'vb', 'up');

  t.test('on lo inside the namespace', async (t) => {
    const r = runChild(NS_A, 'lo', '127.0.0.1', 200);
    t.notOk(r.error ?? r.runError, 'opened and ran');
    t.equal(r.linkType, 1, 'lo is DLT_EN10MB on Linux');
    t.equal(new Set(r.payloads).size, 200, 'every datagram captured');
    t.equal(r.badTimestamps, 0, 'timestamps are now, origlen >= caplen');
    t.ok(r.batchSizes!.some((n) => n > 1), `packets arrive in batches (${r.batchSizes!.slice(0, 8).join(',')}...)`);
    t.equal(r.stats!.kernelDrops, 0, 'no kernel drops');
    t.ok(r.stats!.packets >= 200, 'stats count packets');
  });

  t.test('on a veth inside the namespace', async (t) => {
    const r = runChild(NS_A, 'va', `${SUBNET}.2`, 50);
    t.notOk(r.error ?? r.runError, 'opened and ran');
    t.equal(new Set(r.payloads).size, 50, 'every datagram captured');
  });

  t.test('an interface that disappears while capturing rejects run() after its packets', async (t) => {
    ip('-n', NS_A, 'link', 'add', 'vgone', 'type', 'veth', 'peer', 'name', 'vgone2');
    ip('-n', NS_A, 'addr', 'add', `${SUBNET}.129/25`, 'dev', 'vgone');
    ip('-n', NS_A, 'link', 'set', 'vgone', 'up');
    ip('-n', NS_A, 'link', 'set', 'vgone2', 'up');
    // a static neighbour, so the datagrams leave at once instead of waiting on ARP
    ip('-n', NS_A, 'neigh', 'add', `${SUBNET}.130`, 'lladdr', '02:00:00:00:00:01', 'dev', 'vgone');
    const r = runChild(NS_A, 'vgone', `${SUBNET}.130`, 5, [], 'delete');
    t.notOk(r.error, 'opened');
    t.match(r.runError, /capture on vgone failed: .*(disappeared|went down)/, 'run() rejected with the reason');
    t.equal(new Set(r.payloads).size, 5, 'packets before the failure were delivered');
  });

  t.test('without CAP_NET_RAW the error says so', async (t) => {
    const drop = ['setpriv', '--inh-caps=-all', '--bounding-set=-net_raw'];
    const r = runChild(NS_A, 'lo', '127.0.0.1', 1, drop);
    t.ok(r.error, 'open failed');
    t.equal(r.error!.name, 'CaptureError');
    t.equal(r.error!.reason, 'permission');
    t.match(r.error!.message, /CAP_NET_RAW/);
  });
});
