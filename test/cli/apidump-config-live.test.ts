// Live capture honours --interface and --capture-buffer-size (root: network namespaces this test creates and
// deletes). A server namespace reached over two veth links; the sensor (bin/init, the container entrypoint)
// captures one of them; requests go over both; only the ones over the chosen interface are exported.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { APP_SERVER, NetnsLab, Output, canUseNetns } from './fixtures/netns-lab.js';
import { childEnv } from '../util/sensor-run.js';
import { INIT_BIN, isolatedEnv, tempPath } from './apidump-config-harness.js';

const paths = (out: string): string[] => (existsSync(out) ? readFileSync(out, 'utf8') : '').split('\n').filter(Boolean).map((l) => JSON.parse(l).request.path);

t.test('--interface and --capture-buffer-size', { skip: canUseNetns ? false : 'needs root and iproute2' }, async (t) => {
  const lab = new NetnsLab();
  t.teardown(() => lab.destroy());
  const srv = lab.namespace('pcs-cfg-srv');
  const cli = lab.namespace('pcs-cfg-cli');
  const first = lab.link(srv, cli, '10.231.71');
  const second = lab.link(srv, cli, '10.231.72');
  const server = new Output(lab.start(srv, [process.execPath, '-e', APP_SERVER, '0.0.0.0', '8080']));
  await server.waitFor(/listening/);

  const out = tempPath('live.jsonl');
  const env = childEnv(isolatedEnv({ LEVO_CAPTURE_BUFFER_SIZE: '2MiB' }));
  const child = lab.start(srv, [INIT_BIN, 'apidump', '--interface', first.ifA, '--out', out, '--stats-interval', '3600'], env);
  const sensor = new Output(child);
  await sensor.waitFor(/capture started/, 60_000);
  const get = (addr: string, path: string): string => lab.run(cli, ['curl', '-sS', '--max-time', '20', `http://${addr}:8080${path}`]).stdout;
  t.match(get(first.addrA, '/over-first'), /over-first/);
  t.match(get(second.addrA, '/over-second'), /over-second/);
  t.match(get(first.addrA, '/marker'), /marker/);
  // the marker, sent last over the captured interface, shows the capture has caught up
  const deadline = Date.now() + 60_000;
  while (!paths(out).includes('/marker') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  child.kill('SIGTERM');
  await sensor.waitFor(/final stats/, 60_000);
  await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
  t.equal(child.exitCode, 0, sensor.text.slice(-800));

  t.same(paths(out).sort(), ['/marker', '/over-first'], 'only the requests over --interface');
  const logs = sensor.text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const opened = logs.find((l) => l.msg === 'live capture opened');
  t.same(opened?.interfaces, [first.ifA], 'one interface opened');
  t.equal(opened?.bufferBytes, 2 * 1024 * 1024, 'LEVO_CAPTURE_BUFFER_SIZE=2MiB given to libpcap');
  t.equal(logs.find((l) => l.msg === 'capture started')?.limits?.captureBufferBytes, 2 * 1024 * 1024);
});
