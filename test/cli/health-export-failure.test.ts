// `pcap-sensor health` against a live sensor whose satellite fails: with --health-export-failure-seconds 1 the
// sensor turns unhealthy once every export has failed for over a second (`health` exits 1 and says why), and
// healthy again when the satellite recovers. Also: no sensor listening, and a bad --port.
import t from 'tap';
import { canCaptureLive, freePort, RecordingSatellite, startApp } from './runtime-harness.js';
import { run, runPipedToHead, STACK_LINE, startSensor } from '../util/sensor-run.js';

t.test('health follows the export: failing for longer than the threshold, then recovered', { skip: canCaptureLive ? false : 'live capture needs root' }, async (t) => {
  const app = await startApp();
  const sat = await RecordingSatellite.start({ status: 503 });
  t.teardown(() => Promise.all([app.close(), sat.close()]));
  const port = await freePort();
  const sensor = startSensor(['apidump', '--interface', 'lo', '--filter', `tcp port ${app.port}`, '--satellite-url', sat.url(),
    '--trace-export-interval', '100ms', '--metrics-port', String(port), '--health-export-failure-seconds', '1'], { killAfterMs: 300_000 });
  t.teardown(() => sensor.kill('SIGKILL'));
  await sensor.until((p) => p.log('capture started') !== undefined, 'capture started');
  const health = (): ReturnType<typeof run> => run(['health', '--port', String(port)]);

  t.equal((await health()).code, 0, 'healthy before any export');
  t.equal(await app.get('/while-down'), 200);
  let r = await health();
  for (let i = 0; i < 120 && r.code === 0; i++) { // asked until unhealthy (2 minutes at most)
    await new Promise((res) => setTimeout(res, 500));
    r = await health();
  }
  t.equal(r.code, 1, 'health: exit 1 once exports have failed for over a second');
  t.match(r.stdout, /^unhealthy \(HTTP 503\): export failing: every attempt to reach the satellite failed for \d+ s/);
  t.ok(sat.posts.length >= 1, 'the satellite was tried');

  sat.status = 200; // the satellite recovers: the next retry delivers
  await sensor.until(() => sat.traces().length === 1, 'the retried batch to arrive');
  r = await health();
  for (let i = 0; i < 60 && r.code !== 0; i++) {
    await new Promise((res) => setTimeout(res, 500));
    r = await health();
  }
  t.equal(r.code, 0, 'healthy again after a delivery');

  sensor.kill('SIGTERM');
  const exit = await sensor.exited;
  t.equal(exit.code, 0, 'exit 0: the exchanges reached the satellite in the end');
  t.notMatch(sensor.stderr, STACK_LINE);
});

t.test('health without a sensor, and with a bad --port', async (t) => {
  const port = await freePort();
  const r = await run(['health', '--port', String(port), '--timeout-ms', '2000']);
  t.equal(r.code, 1, 'nothing listening: exit 1');
  t.match(r.stdout, /^unhealthy: .*ECONNREFUSED/);
  const piped = await runPipedToHead(['health', '--port', String(port), '--timeout-ms', '2000'], 0);
  t.equal(piped.code, 1, 'standard output closed early (| head -n 0): still exit 1');
  t.notMatch(piped.stderr, STACK_LINE, 'no stack trace for the closed pipe');
  for (const bad of ['abc', '0', '70000']) {
    const b = await run(['health', '--port', bad]);
    t.equal(b.code, 2, `--port ${bad}: usage error`);
    t.equal(b.stderr, `Error: --port: expected a port number from 1 to 65535, got '${bad}' (command line)\n`);
    t.notMatch(b.stderr, STACK_LINE);
  }
});
