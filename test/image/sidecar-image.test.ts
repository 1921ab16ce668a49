// The container image, built with podman and run the way Fargate runs a task (docs/operations.md):
//   app        the local node:20-bookworm-slim, `--network none` (only lo), a small HTTP server mounted read-only;
//   satellite  the image's embedded satellite (`satellite --port 9999`) in the app's network namespace;
//   sensor     the image as published: its non-root user, `--cap-drop ALL --cap-add NET_RAW`, LEVO_METRICS_PORT,
//              in the app's network namespace (`--network container:app`), default capture (lo);
//   client     `podman exec app node client.mjs`: requests over lo, some carrying credentials.
// Checks: the image is at most 250 MiB; with no arguments it prints its help; `ecs` names the installer target;
// every request arrives at the satellite tagged with the org id and environment, credentials redacted; the
// health check passes while the sensor runs and fails once exports fail; `podman stop` (SIGTERM) loses nothing
// and exits 0; the sensor is uid 10001 with only NET_RAW.
import t from 'tap';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_SERVER } from '../cli/fixtures/netns-lab.js';
import { BASE_IMAGE, Containers, buildBaseImage, buildImage, imageSize, podman, podmanUnavailable, removeStaleBuilds, type Result } from './podman.js';

const IMAGE = 'localhost/pcap-sensor:test';
const INSTALLER_IMAGE = 'localhost/pcap-sensor-installer:test';
const MAX_IMAGE_BYTES = 250 * 1024 * 1024;
const ORG = 'org-image-test-0042';
const ENV = 'image-test';
const SECRETS = { bearer: 'tok-very-secret-123', password: 'pw-very-secret-456' };

/** node client.mjs BASE N: N requests (every third a login with a bearer token and a password); prints them. */
const CLIENT = `
const [base, n] = process.argv.slice(2);
const sent = [];
for (let i = 0; i < Number(n); i++) {
  const login = i % 3 === 0;
  const path = login ? '/login/' + i : '/items/' + i;
  const res = await fetch(base + path, login ? {
    method: 'POST',
    headers: { authorization: 'Bearer ${SECRETS.bearer}', 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'user-' + i, password: '${SECRETS.password}' }),
  } : {});
  await res.text();
  sent.push((login ? 'POST ' : 'GET ') + path + ' ' + res.status);
}
console.log(JSON.stringify(sent));
`;

/** The spans the satellite printed (one JSON line each on its stdout). */
function spansIn(stdout: string): any[] {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

t.setTimeout(1_200_000);
/** This run's builds: the images they produced or reused are kept when stale ones are removed at the end. */
const builds: Result[] = [];

t.test('the sidecar image under podman', { skip: podmanUnavailable }, async (t) => {
  const t0 = Date.now();
  const base = await buildBaseImage();
  t.equal(base.status, 0, 'base image built or reused', { diagnostic: base.status !== 0, output: base.stderr.slice(-2000) });
  const t1 = Date.now();
  const build = await buildImage(IMAGE);
  builds.push(build);
  t.comment(`base image ${((t1 - t0) / 1000).toFixed(0)} s, podman build ${((Date.now() - t1) / 1000).toFixed(0)} s`);
  if (build.status !== 0) {
    t.fail(`podman build failed (${build.status}):\n${(build.stdout + build.stderr).slice(-4000)}`);
    return;
  }
  const size = await imageSize(IMAGE);
  t.ok(size > 0 && size <= MAX_IMAGE_BYTES, `image size ${(size / 2 ** 20).toFixed(1)} MiB <= 250 MiB`);

  const help = await podman(['run', '--rm', '--network', 'none', IMAGE]);
  t.equal(help.status, 0, help.stderr);
  t.match(help.stdout, /pcap-sensor apidump/, 'no arguments: the help');
  t.match(help.stdout, /--satellite-url/);
  const ecs = await podman(['run', '--rm', '--network', 'none', IMAGE, 'ecs', 'add', '--cluster', 'c']);
  t.equal(ecs.status, 2, 'ecs in the sidecar image: usage error');
  t.match(ecs.stderr, /^Error: ecs: .*--target installer/, 'names the installer image');
  t.equal(ecs.stderr.trim().split('\n').length, 1, 'one line');

  const dir = mkdtempSync(join(tmpdir(), 'pcs-image-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'server.js'), APP_SERVER);
  writeFileSync(join(dir, 'client.mjs'), CLIENT);
  const c = new Containers();
  t.teardown(async () => { await c.removeAll(); rmSync(dir, { recursive: true, force: true }); });

  const app = await c.start('app', ['--network', 'none', '-v', `${dir}:/srv:ro`, BASE_IMAGE, 'node', '/srv/server.js', '127.0.0.1', '8080']);
  await c.waitForLog(app, /listening/);
  const inApp = ['--network', `container:${app}`];
  const sat = await c.start('sat', [...inApp, '--cap-drop', 'ALL', IMAGE, 'satellite', '--port', '9999']);
  await c.waitForLog(sat, /satellite listening on/);
  const sensorArgs = (metricsPort: string, extra: string[]) => [...inApp, '--cap-drop', 'ALL', '--cap-add', 'NET_RAW',
    '-e', `LEVO_METRICS_PORT=${metricsPort}`, IMAGE, 'apidump', '--satellite-url', 'http://127.0.0.1:9999',
    '--levo-env', ENV, '--levoai-org-id', ORG, ...extra];
  const sensor = await c.start('sensor', sensorArgs('9464', []));
  const started = await c.waitForLog(sensor, /"msg":"capture started"/);
  const startLine = JSON.parse((started.stdout + started.stderr).split('\n').find((l) => l.includes('"msg":"capture started"'))!);
  t.same(startLine.capture, ['lo'], 'the task\'s only interface is captured');

  const status = (await podman(['exec', sensor, 'cat', '/proc/1/status'])).stdout;
  t.match(status, /^Uid:\s+10001\s+10001\s+10001\s+10001$/m, 'the sensor runs as uid 10001');
  t.match(status, /^CapEff:\s+0000000000002000$/m, 'with NET_RAW alone');
  const healthy = await podman(['exec', sensor, './bin/pcap-sensor', 'health']);
  t.equal(healthy.status, 0, `health check passes while the sensor runs: ${healthy.stdout}${healthy.stderr}`);

  const client = await podman(['exec', app, 'node', '/srv/client.mjs', 'http://127.0.0.1:8080', '30']);
  t.equal(client.status, 0, client.stderr);
  const sent: string[] = JSON.parse(client.stdout);
  t.equal(sent.filter((s) => s.endsWith(' 200')).length, 30, 'the app answered every request');

  // Fargate stops a task with SIGTERM; podman stop does the same (SIGKILL only after 30 s)
  const stop = await podman(['stop', '-t', '30', sensor], 60_000);
  t.equal(stop.status, 0, stop.stderr);
  const exit = await podman(['inspect', '--format', '{{.State.ExitCode}}', sensor]);
  t.equal(exit.stdout.trim(), '0', 'exit status 0 after SIGTERM');
  const sensorLogs = await c.logs(sensor);
  const final = JSON.parse((sensorLogs.stdout + sensorLogs.stderr).split('\n').find((l) => l.includes('"msg":"final stats"'))!);
  t.equal(final.summary.exported, 30, 'the satellite acknowledged every exchange before the sensor exited');

  const satLogs = await c.waitForLog(sat, /otlp \d+ spans/);
  const spans = spansIn(satLogs.stdout);
  const received = spans.map((s) => `${s.span.attributes['http.request.method']} ${s.span.attributes['url.path']}`);
  t.same(received.sort(), sent.map((s) => s.replace(/ 200$/, '')).sort(), 'every request arrived once; no export traffic captured');
  t.ok(spans.every((s) => s.org_id === ORG && s.resource['levo.env'] === ENV), 'tagged with the org id and environment');
  const logins = spans.filter((s) => s.span.attributes['http.request.method'] === 'POST');
  t.equal(logins.length, 10);
  t.ok(logins.every((s) => /^Bearer \[REDACTED:[0-9a-f]+\]$/.test(String(s.span.attributes['http.request.header.authorization']))),
    'Authorization: the scheme kept, the token redacted');
  const bodies = logins.map((s) => Buffer.from(String(s.span.attributes['levo.http.request.body']), 'base64').toString('utf8'));
  t.ok(bodies.every((b) => /^\{"user":"user-\d+","password":"\[REDACTED:[0-9a-f]+\]"\}$/.test(b)), 'the password field redacted in the body (base64)');
  const secret = new RegExp(`${SECRETS.bearer}|${SECRETS.password}`);
  t.notMatch(satLogs.stdout + bodies.join('\n'), secret, 'no credential reaches the satellite');

  // exports failing: the satellite stopped; the health check turns non-zero after --health-export-failure-seconds
  t.equal((await podman(['stop', '-t', '10', sat], 30_000)).status, 0);
  const failing = await c.start('sensor2', sensorArgs('9465', ['--trace-export-interval', '1', '--health-export-failure-seconds', '2']));
  await c.waitForLog(failing, /"msg":"capture started"/);
  t.equal((await podman(['exec', failing, './bin/pcap-sensor', 'health'])).status, 0, 'healthy before any export attempt');
  await podman(['exec', app, 'node', '/srv/client.mjs', 'http://127.0.0.1:8080', '3']);
  let unhealthy: Result | null = null;
  for (let i = 0; i < 60 && !unhealthy; i++) {
    const h = await podman(['exec', failing, './bin/pcap-sensor', 'health']);
    if (h.status !== 0) unhealthy = h;
    else await new Promise((r) => setTimeout(r, 1000));
  }
  t.ok(unhealthy, 'the health check fails once exports have failed for longer than the threshold');
  t.equal(unhealthy?.status, 1, 'exit status 1');
  t.match(`${unhealthy?.stdout}${unhealthy?.stderr}`, /export failing/, 'and says why');
});

t.test('the installer image runs ecs', { skip: podmanUnavailable }, async (t) => {
  const build = await buildImage(INSTALLER_IMAGE, 'installer');
  builds.push(build);
  if (build.status !== 0) {
    t.fail(`podman build --target installer failed (${build.status}):\n${(build.stdout + build.stderr).slice(-4000)}`);
    return;
  }
  const r = await podman(['run', '--rm', '--network', 'none', INSTALLER_IMAGE, 'ecs', '--help']);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /ecs add/, 'the ECS installer with the AWS SDK');
  if (builds.every((b) => b.status === 0)) t.comment(`removed ${await removeStaleBuilds(builds)} images left by earlier builds`);
});
