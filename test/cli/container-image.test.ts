// The container image without an engine: the Dockerfile linted (dockerfile-utils) and checked for what the
// image promises, and its entrypoint script bin/init run as the image runs it: a non-root user, a copy of
// node with the file capability cap_net_raw+ep, live capture in a network namespace.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../util/sensor-run.js';
import { APP_SERVER, NetnsLab, Output, canUseNetns } from './fixtures/netns-lab.js';

const DOCKERFILE = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const INIT = join(REPO_ROOT, 'bin', 'init');
/** Dockerfile instructions, comments and continuations folded. */
const instructions = DOCKERFILE.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n')
  .replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter(Boolean);

t.test('dockerfile-utils lint reports nothing', async (t) => {
  const r = spawnSync('npx', ['--yes', 'dockerfile-utils', 'lint', join(REPO_ROOT, 'Dockerfile')], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0 && !/Line: \d+/.test(r.stdout + r.stderr)) {
    t.skip(`dockerfile-utils not available: ${(r.stderr || r.stdout).slice(0, 200)}`);
    return;
  }
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.equal(r.stdout.trim(), '', 'no diagnostics');
});

t.test('the Dockerfile promises', async (t) => {
  const froms = instructions.filter((l) => l.startsWith('FROM '));
  t.equal(froms.length, 2, 'two stages');
  t.match(DOCKERFILE, /ARG NODE_IMAGE=node:20-bookworm-slim/);
  t.match(froms[0], /AS build$/);
  t.match(froms[1], /AS runtime$/, 'the runtime stage is the last (the image)');
  const runtime = instructions.slice(instructions.indexOf(froms[1]));
  const build = instructions.slice(0, instructions.indexOf(froms[1]));
  t.ok(build.some((l) => /apt-get install .*python3 make g\+\+ libpcap-dev/.test(l)), 'build tools only in the build stage');
  t.ok(build.some((l) => /npm ci/.test(l)) && build.some((l) => /build:native/.test(l) && /build:ts/.test(l) && /npm prune --omit=dev/.test(l)));
  const runtimeInstall = runtime.find((l) => /apt-get install/.test(l)) ?? '';
  const packages = /--no-install-recommends ([^&]+)&&/.exec(runtimeInstall)?.[1].trim().split(/\s+/);
  t.same(packages, ['libpcap0.8', 'libcap2-bin'], 'runtime: libpcap, plus setcap ...');
  t.match(runtimeInstall, /apt-get purge -y --auto-remove libcap2-bin/, '... which is removed in the same layer');
  t.match(runtimeInstall, /setcap cap_net_raw\+ep \/usr\/local\/bin\/node-capture/, 'NET_RAW only, on a copy of node');
  t.notMatch(runtime.join('\n'), /g\+\+|libpcap-dev|python3/, 'no compiler in the image');
  const user = runtime.find((l) => l.startsWith('USER '));
  t.match(user, /^USER [1-9]\d*:[1-9]\d*$/, 'a numeric non-root user (runAsNonRoot can verify it)');
  const workdir = runtime.filter((l) => l.startsWith('WORKDIR ')).pop()!.slice(8);
  t.ok(runtime.some((l) => l === 'COPY bin/ ./bin/'), 'bin/ lands in the working directory');
  t.equal(runtime.find((l) => l.startsWith('ENTRYPOINT ')), 'ENTRYPOINT ["./bin/init"]');
  t.equal(workdir, '/opt/pcap-sensor');
  for (const p of ['./package.json', './node_modules/', './dist/', './build/Release/pcap_addon.node']) {
    t.ok(runtime.some((l) => l.startsWith('COPY --from=build') && l.endsWith(` ${p}`)), `ships ${p}`);
  }
  t.match(runtime.join('\n'), /PCAP_SENSOR_CAPTURE_NODE=\/usr\/local\/bin\/node-capture/);
  t.notMatch(instructions.join('\n'), /amd64|arm64|x86_64|aarch64|--platform/, 'no architecture-specific step');
  // every path copied from the context survives .dockerignore
  const ignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
  const copied = instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from=')).flatMap((l) => l.split(/\s+/).slice(1, -1));
  for (const c of copied) t.ok(ignore.includes(c.replace(/\/$/, '')), `${c} is in the build context`);
});

t.test('bin/init is the documented entrypoint: same program, same flags', async (t) => {
  const r = spawnSync(INIT, ['apidump', '--satellite-url', 'http://satellite:9999', '--levo-env', 'production', '--levoai-org-id', 'org-0123456789', '--print-config'],
    { encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: '' } });
  t.equal(r.status, 0, r.stderr);
  const p = JSON.parse(r.stdout);
  t.equal(p.config['satellite-url'], 'http://satellite:9999');
  t.equal(p.config['levo-env'], 'production');
  t.equal(p.config['levoai-org-id'], 'org-********89');
  const rel = spawnSync('./bin/init', ['--version'], { encoding: 'utf8', cwd: REPO_ROOT });
  t.equal(rel.status, 0, './bin/init from its working directory');
});

t.test('non-root capture through the capability copy of node', { skip: canUseNetns && existsSync('/usr/sbin/setcap') && spawnSync('setpriv', ['--help']).status === 0 ? false : 'needs root, setcap, setpriv, iproute2' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pcs-image-'));
  chmodSync(dir, 0o777);
  const capNode = join(dir, 'node-capture');
  copyFileSync(process.execPath, capNode);
  chmodSync(capNode, 0o755);
  spawnSync('setcap', ['cap_net_raw+ep', capNode]);
  const lab = new NetnsLab();
  t.teardown(() => { lab.destroy(); rmSync(dir, { recursive: true, force: true }); });
  const ns = lab.namespace('img');
  const server = new Output(lab.start(ns, [process.execPath, '-e', APP_SERVER, '127.0.0.1', '8080']));
  await server.waitFor(/listening/);
  const env = { PATH: process.env.PATH, PCAP_SENSOR_CAPTURE_NODE: capNode, LEVO_INTERFACE: 'lo', LEVO_FILTER: 'tcp port 8080' };
  const asUser = (extra: string[] = []) => ['setpriv', '--reuid', '10001', '--regid', '10001', '--clear-groups', ...extra];

  const out = join(dir, 'out.jsonl');
  const sensorChild = lab.start(ns, [...asUser(), INIT, 'apidump', '--out', out, '--stats-interval', '3600'], env);
  const sensor = new Output(sensorChild);
  await sensor.waitFor(/capture started/);
  const curl = lab.run(ns, ['curl', '-s', 'http://127.0.0.1:8080/as-user']);
  t.match(curl.stdout, /as-user/);
  await new Promise((r) => setTimeout(r, 400));
  sensorChild.kill('SIGTERM');
  await sensor.waitFor(/final stats/);
  await new Promise((r) => sensorChild.once('exit', r));
  t.equal(sensorChild.exitCode, 0, sensor.text.slice(-500));
  const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  t.same(lines.map((l) => l.request.path), ['/as-user'], 'uid 10001 captured the exchange (CAP_NET_RAW from the file capability)');

  // without NET_RAW in the bounding set, bin/init runs the plain node: a clear permission error, not an exec failure
  const denied = lab.run(ns, [...asUser(['--bounding-set', '-net_raw']), 'env', `PCAP_SENSOR_CAPTURE_NODE=${capNode}`, INIT, 'apidump', '--interface', 'lo', '--out', '-']);
  t.equal(denied.status, 1, 'exit 1 (capture failed), not 126 (exec refused)');
  t.match(denied.stderr, /NET_RAW/, 'the message says which capability is missing');
  // and why bin/init checks: exec'ing the capability copy without NET_RAW in the bounding set is refused
  const direct = lab.run(ns, [...asUser(['--bounding-set', '-net_raw']), capNode, '-e', '0']);
  t.not(direct.status, 0, 'the kernel refuses a file capability outside the bounding set');
});
