// Live capture through openLiveSources + runAll into the whole pipeline, in network namespaces this
// test creates (and deletes): a real Node HTTP server in namespace A, curl and wrk in namespace B,
// a veth pair with 1514-byte frames between them; the sensor captures on A's side.
import t from 'tap';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { NetnsPair, canUseNetns, collectLines, ip, waitForLine } from './fixtures/netns.js';
import type { ChildConfig, ChildExchange } from './fixtures/sensor-child.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHILD = join(HERE, 'fixtures', 'sensor-child.ts');
const SERVER = join(HERE, 'fixtures', 'http-server.mjs');
const hasWrk = (await import('node:child_process')).spawnSync('wrk', ['-v']).error === undefined;

interface ChildResult {
  exchanges: ChildExchange[];
  /** Exchanges on /wrk: count per "METHOD /wrk status". */
  bulk: Record<string, number>;
  ports: Record<string, number>;
  counters: Record<string, number>;
  runResult?: { lost: Array<{ interface: string; message: string }> };
  runError?: string;
  logs: Array<{ level: string; msg: string; obj: any }>;
}
interface Ready { ready: true; opened: { interfaces: string[]; filter: string | null }; exportStatuses: number[] }
interface OpenError { error: { name: string; reason: string; message: string } }

t.test('live capture into the pipeline', { skip: canUseNetns ? false : 'needs root and iproute2' }, async (t) => {
  // the "satellite" name resolves (from /etc/hosts inside A) to B's address
  const pair = new NetnsPair('live');
  t.teardown(() => pair.destroy());
  pair.create([`${pair.addrB} satellite.test`]);

  const server = pair.start(pair.a, [process.execPath, SERVER, pair.addrA, '8080', '8081']);
  const satellite = pair.start(pair.b, [process.execPath, SERVER, pair.addrB, '9998', '9999']);
  await waitForLine(server, (l) => l === 'listening');
  await waitForLine(satellite, (l) => l === 'listening');

  const startSensor = (cfg: ChildConfig, wrapper: string[] = []): ChildProcess => {
    const child = pair.start(pair.a, [...wrapper, process.execPath, ...process.execArgv, '--import', '@tapjs/typescript/import', CHILD, JSON.stringify(cfg)],
      { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' });
    collectLines(child);
    return child;
  };
  const ready = async (child: ChildProcess): Promise<Ready | OpenError> =>
    JSON.parse(await waitForLine(child, (l) => l.startsWith('{"ready"') || l.startsWith('{"error"'), 30000));
  const finish = async (child: ChildProcess): Promise<ChildResult> => {
    child.stdin!.write('stop\n');
    return JSON.parse(await waitForLine(child, (l) => l.startsWith('{"result"'), 30000)).result;
  };
  const curl = (args: string): string[] => {
    const r = pair.run(pair.b, ['sh', '-c', `curl -s --max-time 10 ${args}`]);
    return r.stdout.split('\n').filter(Boolean);
  };
  const base = `http://${pair.addrA}:8080`;

  t.test('exchanges match the clients; filter and self-exclusion are honoured live', async (t) => {
    const sensor = startSensor({
      interfaces: [pair.ifA],
      filter: 'tcp and not port 8081',
      excludeEndpoints: [{ host: 'satellite.test', port: 9999 }],
      exports: [{ host: 'satellite.test', port: 9999, count: 3 }, { host: 'satellite.test', port: 9998, count: 3 }],
    });
    const r = await ready(sensor) as Ready;
    t.notOk((r as unknown as OpenError).error, 'opened');
    t.equal(r.opened.filter, `(tcp and not port 8081) and not (host ${pair.addrB} and tcp port 9999)`,
      'installed filter = user filter and the satellite address resolved inside the namespace');
    t.same(r.exportStatuses, [201, 201, 201, 201, 201, 201], 'the self-export POSTs really happened');

    // what the clients do (and so what the sensor must report)
    const keepAlive = curl(`-o /dev/null -o /dev/null -o /dev/null -w '%{http_code}\\n' ${base}/small '${base}/big?n=300000' ${base}/missing`);
    t.same(keepAlive, ['200', '200', '404'], 'curl: three requests on one connection');
    const posted = curl(`-o /dev/null -w '%{http_code}\\n' -X POST -d '' ${base}/echo`);
    t.same(posted, ['201'], 'curl: empty POST');
    const bigPost = pair.run(pair.b, ['sh', '-c', `head -c 150000 /dev/zero | curl -s --max-time 10 -o /dev/null -w '%{http_code}' --data-binary @- ${base}/echo`]);
    t.equal(bigPost.stdout, '201', 'curl: 150000-byte POST');
    const head = curl(`-I -o /dev/null -w '%{http_code}\\n' '${base}/big?n=5000'`);
    t.same(head, ['200'], 'curl: HEAD');
    const other = curl(`-o /dev/null -o /dev/null -w '%{http_code}\\n' http://${pair.addrA}:8081/small http://${pair.addrA}:8081/small`);
    t.same(other, ['200', '200'], 'curl: two requests to port 8081 (filtered out)');
    let wrkRequests = -1;
    if (hasWrk) {
      const w = pair.run(pair.b, ['timeout', '20', 'wrk', '-t1', '-c4', '-d1s', `${base}/wrk`]);
      wrkRequests = Number(/(\d+) requests in/.exec(w.stdout)?.[1] ?? -1);
      t.ok(wrkRequests > 100, `wrk made ${wrkRequests} requests`);
    }

    const res = await finish(sensor);
    t.notOk(res.runError, 'runAll resolved');
    t.same(res.runResult?.lost, [], 'no interface lost');
    const on8080 = res.exchanges.filter((e) => e.serverPort === 8080 && e.path !== '/wrk');
    const summary = (e: ChildExchange) => `${e.depth} ${e.method} ${e.path} ${e.status} ${e.requestBodyLength} ${e.responseBodyLength}`;
    const byConn = new Map<number, ChildExchange[]>();
    for (const e of on8080) byConn.set(e.clientPort, [...(byConn.get(e.clientPort) ?? []), e]);
    const conns = [...byConn.values()].map((list) => list.map(summary).join(' | ')).sort();
    t.same(conns, [
      '1 GET /small 200 0 2 | 2 GET /big 200 0 300000 | 3 GET /missing 404 0 9',
      '1 HEAD /big 200 0 0',
      `1 POST /echo 201 0 ${JSON.stringify({ received: 0 }).length}`,
      `1 POST /echo 201 150000 ${JSON.stringify({ received: 150000 }).length}`,
    ].sort(), 'exchange by exchange, per connection, in order');
    t.same(on8080.flatMap((e) => e.flags), [], 'no exchange flagged (no gap, no interruption)');

    if (hasWrk) {
      const served = await servedCounts(server);
      const wrkEx = res.bulk['GET /wrk 200'] ?? 0;
      t.ok(wrkEx >= wrkRequests, `every response wrk counted was captured (${wrkEx} >= ${wrkRequests})`);
      t.ok(wrkEx <= served['8080 GET /wrk'], `no more than the server answered (${served['8080 GET /wrk']})`);
      t.same(Object.keys(res.bulk).filter((k) => k !== 'GET /wrk 200' && k !== 'GET /wrk null'), [], 'wrk exchanges are GET /wrk 200 (or cut off at the end)');
      t.ok((res.bulk['GET /wrk null'] ?? 0) <= 4, 'at most one unanswered request per wrk connection');
      t.equal(served['8081 GET /small'], 2, 'the server did answer on 8081');
    }
    t.notOk(res.ports['8081'], 'no packet of port 8081 captured (BPF filter live)');
    t.notOk(res.exchanges.some((e) => e.serverPort === 8081), 'no exchange on 8081');
    t.notOk(res.ports['9999'], 'no packet to the excluded satellite host:port captured');
    t.equal(res.exchanges.filter((e) => e.serverPort === 9998 && e.method === 'POST').length, 3,
      'the same traffic to another port of the satellite host is captured');
    t.equal(res.counters['capture.kernel_drops'], 0, 'kernel drops read: 0 at this rate');
    t.equal(res.counters['capture.if_drops'], 0, 'interface drops read: 0');
    t.ok(`capture.if.${pair.ifA}.kernel_drops` in res.counters, 'per-interface drop counter published');
    t.ok(res.counters[`capture.if.${pair.ifA}.packets`] > 1000, 'per-interface packet count published');
  });

  t.test('a kernel ring that overflows shows up in the drop counters and the log', { skip: hasWrk ? false : 'wrk missing' }, async (t) => {
    const sensor = startSensor({
      interfaces: [pair.ifA], filter: 'tcp port 8080', bufferBytes: 1024 * 1024, stallMs: 30_000, excludeEndpoints: [],
    });
    t.notOk(((await ready(sensor)) as OpenError).error, 'opened');
    pair.run(pair.b, ['sh', '-c', `curl -s -o /dev/null ${base}/small; timeout 20 wrk -t1 -c8 -d1s ${base}/wrk`]);
    const res = await finish(sensor);
    t.ok(res.counters['capture.kernel_drops'] > 0, `kernel drops counted (${res.counters['capture.kernel_drops']})`);
    t.ok(res.logs.some((l) => l.level === 'warn' && /dropped/.test(l.msg) && l.obj.kernelDrops > 0), 'drops logged as a warning');
  });

  t.test('losing one interface keeps the others capturing', async (t) => {
    ip('-n', pair.a, 'link', 'add', 'vgone', 'type', 'veth', 'peer', 'name', 'vgone2');
    ip('-n', pair.a, 'addr', 'add', `${pair.subnet.replace(/\.\d+$/, '')}.250.1/24`, 'dev', 'vgone');
    ip('-n', pair.a, 'link', 'set', 'vgone', 'up');
    ip('-n', pair.a, 'link', 'set', 'vgone2', 'up');
    const sensor = startSensor({ interfaces: [], filter: 'tcp port 8080', excludeEndpoints: [], deleteInterface: 'vgone', deleteAfterMs: 200 });
    const r = await ready(sensor) as Ready;
    // vgone2 has no IPv4 address but the kernel gave it an IPv6 link-local one
    t.same([...r.opened.interfaces].sort(), ['lo', pair.ifA, 'vgone', 'vgone2'].sort(), 'default: every interface up with an address, lo included');
    // the loss of both ends of the pair is logged (and said at once) by the child before any traffic is sent
    const lossLine = (l: string) => l.startsWith('{"logged"') && /continues on the others/.test(l);
    await waitForLine(sensor, lossLine, 30000);
    await waitForLine(sensor, lossLine, 30000);
    t.same(curl(`-o /dev/null -w '%{http_code}\\n' ${base}/small`), ['200'], 'traffic after the loss');
    const res = await finish(sensor);
    t.notOk(res.runError, 'runAll did not fail');
    t.same(res.runResult?.lost.map((l) => l.interface).sort(), ['vgone', 'vgone2'], 'vgone and its peer reported lost');
    t.match(res.runResult?.lost[0].message, /vgone/);
    t.ok(res.logs.some((l) => l.level === 'error' && /continues on the others/.test(l.msg)), 'loss logged');
    t.equal(res.counters['capture.interfaces_lost'], 2, 'counted');
    t.ok(res.exchanges.some((e) => e.path === '/small' && e.status === 200), 'exchange after the loss captured on the remaining interface');
  });

  t.test('without CAP_NET_RAW: the documented message', async (t) => {
    const sensor = startSensor({ interfaces: [pair.ifA], excludeEndpoints: [] }, ['setpriv', '--inh-caps=-all', '--bounding-set=-net_raw']);
    const r = await ready(sensor) as OpenError;
    t.equal(r.error?.reason, 'permission');
    t.match(r.error.message, /CAP_NET_RAW/);
    t.match(r.error.message, /docker run --cap-add=NET_RAW/);
    t.match(r.error.message, /capabilities: \{ add: \["NET_RAW"\] \}/);
    t.match(r.error.message, /ECS Fargate: NET_RAW is in the default capability set/);
    t.match(r.error.message, /linuxParameters\.capabilities\.add: \["NET_RAW"\]/);
  });

  t.test('an interface that does not exist: the ones that do are listed', async (t) => {
    const sensor = startSensor({ interfaces: [pair.ifA, 'nosuch0'], excludeEndpoints: [] });
    const r = await ready(sensor) as OpenError;
    t.equal(r.error?.reason, 'no-such-device');
    t.match(r.error.message, /^no such interface: nosuch0/);
    t.match(r.error.message, new RegExp(`\\n${pair.ifA} \\(up[^\\n]*${pair.addrA.replace(/\./g, '\\.')}`));
    t.match(r.error.message, /\nlo \(up/);
  });

  t.test('an invalid user filter, with the exclusion clauses added: still a clear error', async (t) => {
    const sensor = startSensor({ interfaces: [pair.ifA], filter: 'tcp and (', excludeEndpoints: [{ host: pair.addrB, port: 9999 }] });
    const r = await ready(sensor) as OpenError;
    t.equal(r.error?.reason, 'filter');
    t.match(r.error.message, /^invalid --filter "tcp and \(": /);
    t.match(r.error.message, /own export traffic/);
  });
});

/** The server's count of responses written, per "port METHOD path". */
async function servedCounts(server: ChildProcess): Promise<Record<string, number>> {
  server.kill('SIGUSR2');
  return JSON.parse(await waitForLine(server, (l) => l.startsWith('{')));
}
