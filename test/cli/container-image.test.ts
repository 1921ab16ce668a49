// The container image without an engine: the Dockerfile linted (dockerfile-utils) and checked for what the
// image promises, and its entrypoint script bin/init run as the image runs it: a non-root user, the launcher
// native/node-capture.c with the file capability cap_net_raw+p, live capture in a network namespace.
// test/image/sidecar-image.test.ts builds the image itself and runs it under podman.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../util/sensor-run.js';
import { APP_SERVER, NetnsLab, Output, canUseNetns } from './fixtures/netns-lab.js';

const DOCKERFILE = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const INIT = join(REPO_ROOT, 'bin', 'init');
/** Dockerfile instructions: comments dropped, continuations folded, runs of blanks as one space. */
const instructions = DOCKERFILE.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n')
  .replace(/\\\n/g, ' ').split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter(Boolean);

const lint = spawnSync('npx', ['--yes', 'dockerfile-utils', 'lint', join(REPO_ROOT, 'Dockerfile')], { encoding: 'utf8', timeout: 120_000 });
/** The linter could not be fetched or run (it printed no diagnostic line): the lint is skipped, and tap says so. */
const lintMissing = lint.status !== 0 && !/Line: \d+/.test(lint.stdout + lint.stderr)
  ? `dockerfile-utils not available: ${(lint.stderr || lint.stdout).slice(0, 200)}` : false;

t.test('dockerfile-utils lint reports nothing', { skip: lintMissing }, async (t) => {
  t.equal(lint.status, 0, lint.stdout + lint.stderr);
  t.equal(lint.stdout.trim(), '', 'no diagnostics');
});

t.test('the Dockerfile promises', async (t) => {
  const froms = instructions.filter((l) => l.startsWith('FROM '));
  t.same(froms.map((l) => l.split(' AS ')[1]), ['build', 'sidecar-modules', 'rootfs', 'installer', 'runtime'], 'the stages');
  t.match(DOCKERFILE, /ARG NODE_IMAGE=node:20-bookworm-slim/);
  const stage = (name: string): string[] => {
    const i = froms.findIndex((l) => l.endsWith(` AS ${name}`));
    return instructions.slice(instructions.indexOf(froms[i]), i + 1 < froms.length ? instructions.indexOf(froms[i + 1]) : undefined);
  };
  const [build, modules, rootfs, runtime] = ['build', 'sidecar-modules', 'rootfs', 'runtime'].map(stage);
  const all = (lines: string[]): string => lines.join('\n');
  t.ok(build.some((l) => /apt-get install .*python3 make g\+\+ libpcap-dev libcap2-bin/.test(l)), 'build tools only in the build stage');
  t.ok(build.some((l) => /^RUN --mount=type=secret,id=ca .*NODE_EXTRA_CA_CERTS=\/run\/secrets\/ca.*npm ci/.test(l)), 'npm ci trusts the optional secret ca');
  t.ok(build.some((l) => /build:native/.test(l) && /build:ts/.test(l) && /cc .*native\/node-capture\.c/.test(l) && /npm prune --omit=dev/.test(l)));
  t.match(all(modules), /startsWith\("@aws-sdk\/"\).*npm prune --omit=dev/, 'the sidecar\'s dependencies: no AWS SDK');
  t.equal(froms.find((l) => l.endsWith(' AS rootfs')), 'FROM ${NODE_IMAGE} AS rootfs');
  const packages = /--no-install-recommends ([^&]+)&&/.exec(rootfs.find((l) => /apt-get install/.test(l)) ?? '')?.[1].trim().split(/\s+/);
  t.same(packages, ['libpcap0.8'], 'runtime packages: libpcap only');
  for (const gone of ['/usr/local/lib/node_modules', '/usr/local/include', '/usr/local/bin/npm', '/usr/local/bin/corepack', '/usr/share/doc', '/usr/share/locale']) {
    t.ok(rootfs.some((l) => l.startsWith('RUN ') && l.includes(` ${gone} `)), `${gone} does not ship`);
  }
  t.match(all(rootfs), /useradd --system --uid 10001 --gid 10001/);
  t.ok(rootfs.includes('COPY --from=build /opt/pcap-sensor/build/node-capture /usr/local/bin/node-capture'), 'the launcher, not a copy of node');
  t.ok(rootfs.some((l) => l === 'COPY bin/ ./bin/'), 'bin/ lands in the working directory');
  t.equal(rootfs.filter((l) => l.startsWith('WORKDIR ')).pop(), 'WORKDIR /opt/pcap-sensor');
  for (const [from, p] of [['sidecar-modules', './package.json'], ['sidecar-modules', './node_modules/'], ['build', './dist/'], ['build', './build/Release/pcap_addon.node']]) {
    t.ok(rootfs.some((l) => l.startsWith(`COPY --from=${from} `) && l.endsWith(` ${p}`)), `ships ${p} (from ${from})`);
  }
  t.equal(runtime[0], 'FROM scratch AS runtime', 'the image is the last stage, built from scratch ...');
  t.ok(runtime.includes('COPY --from=rootfs / /'), '... as one copy of the cleaned root file system');
  const setcap = runtime.find((l) => l.startsWith('RUN ')) ?? '';
  t.match(setcap, /--mount=type=bind,from=build,source=\/usr\/sbin\/setcap/, 'setcap is mounted, not shipped');
  t.match(setcap, /setcap cap_net_raw\+p \/usr\/local\/bin\/node-capture && setcap -v cap_net_raw\+p/, 'NET_RAW only, permitted (not effective), verified');
  t.notMatch(all(runtime.concat(rootfs)), /g\+\+|libpcap-dev|python3/, 'no compiler in the image');
  t.match(runtime.find((l) => l.startsWith('USER ')), /^USER [1-9]\d*:[1-9]\d*$/, 'a numeric non-root user (runAsNonRoot can verify it)');
  t.equal(runtime.find((l) => l.startsWith('WORKDIR ')), 'WORKDIR /opt/pcap-sensor');
  t.equal(runtime.find((l) => l.startsWith('ENTRYPOINT ')), 'ENTRYPOINT ["./bin/init"]');
  t.match(all(runtime), /PCAP_SENSOR_CAPTURE_NODE=\/usr\/local\/bin\/node-capture/);
  t.match(all(runtime), /ENV PATH=\/usr\/local\/sbin:\/usr\/local\/bin:/, 'PATH set (scratch has no environment)');
  t.equal(stage('installer').find((l) => l.startsWith('COPY --from=build ') && l.endsWith(' ./node_modules/')), 'COPY --from=build /opt/pcap-sensor/node_modules/ ./node_modules/', 'the installer target has the AWS SDK');
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

/**
 * What uid 10001 needs to run bin/init, staged where it can read it: the checkout may sit in a private (0700)
 * directory such as /root. Hard links where the file system allows them, copies otherwise.
 */
function stageForUser(dir: string): string {
  const app = join(dir, 'app');
  mkdirSync(join(app, 'build', 'Release'), { recursive: true });
  for (const p of ['bin', 'dist', 'package.json', 'node_modules', join('build', 'Release', 'pcap_addon.node')]) {
    const dst = join(app, p);
    if (spawnSync('cp', ['-al', join(REPO_ROOT, p), dst]).status !== 0) cpSync(join(REPO_ROOT, p), dst, { recursive: true });
  }
  return app;
}

t.test('non-root capture through the node-capture launcher', { skip: canUseNetns && existsSync('/usr/sbin/setcap') && spawnSync('setpriv', ['--help']).status === 0 && spawnSync('cc', ['--version']).status === 0 ? false : 'needs root, setcap, setpriv, cc, iproute2' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pcs-image-'));
  chmodSync(dir, 0o777);
  const app = stageForUser(dir);
  const init = join(app, 'bin', 'init');
  // the image's launcher, built the way the Dockerfile builds it, running this machine's node
  const launcher = join(dir, 'node-capture');
  const cc = spawnSync('cc', ['-Os', '-Wall', '-Wextra', `-DNODE_PATH="${process.execPath}"`, '-o', launcher, join(REPO_ROOT, 'native', 'node-capture.c')], { encoding: 'utf8' });
  t.equal(cc.status, 0, cc.stderr);
  t.equal(cc.stderr, '', 'compiles without warnings');
  t.equal(spawnSync('setcap', ['cap_net_raw+p', launcher]).status, 0);
  const lab = new NetnsLab();
  t.teardown(() => { lab.destroy(); rmSync(dir, { recursive: true, force: true }); });
  const ns = lab.namespace('img');
  const server = new Output(lab.start(ns, [process.execPath, '-e', APP_SERVER, '127.0.0.1', '8080']));
  await server.waitFor(/listening/);
  const env = { PATH: process.env.PATH, PCAP_SENSOR_CAPTURE_NODE: launcher, LEVO_INTERFACE: 'lo', LEVO_FILTER: 'tcp port 8080' };
  // as the image runs it: uid/gid 10001, working directory the staged application; without the test runner's
  // NODE_OPTIONS (its loaders are in the checkout, which that user may not be able to read)
  const asUser = (extra: string[] = []) => ['setpriv', '--reuid', '10001', '--regid', '10001', '--clear-groups', ...extra, 'env', '-C', app, '-u', 'NODE_OPTIONS'];

  const out = join(dir, 'out.jsonl');
  const sensorChild = lab.start(ns, [...asUser(), './bin/init', 'apidump', '--out', out, '--stats-interval', '3600'], env);
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
  t.same(lines.map((l) => l.request.path), ['/as-user'], 'uid 10001 captured the exchange (CAP_NET_RAW through the launcher)');

  // node under the launcher: NET_RAW permitted, effective and ambient; not in secure-execution mode
  const status = lab.run(ns, [...asUser(), launcher, '-e', 'process.stdout.write(require("fs").readFileSync("/proc/self/status", "utf8"))']);
  t.match(status.stdout, /^Uid:\s+10001\s/m);
  for (const set of ['CapPrm', 'CapEff', 'CapAmb']) t.match(status.stdout, new RegExp(`^${set}:\\s+0000000000002000$`, 'm'), `${set}: NET_RAW alone`);

  // without NET_RAW in the bounding set, bin/init runs the plain node: a clear permission error
  const denied = lab.run(ns, [...asUser(['--bounding-set', '-net_raw']), 'env', `PCAP_SENSOR_CAPTURE_NODE=${launcher}`, init, 'apidump', '--interface', 'lo', '--out', '-']);
  t.equal(denied.status, 1, 'exit 1 (capture failed)');
  t.match(denied.stderr, /NET_RAW/, 'the message says which capability is missing');
  // and the launcher itself runs node without it there (a permitted-only file capability is not refused)
  const direct = lab.run(ns, [...asUser(['--bounding-set', '-net_raw']), 'env', `PCAP_SENSOR_NODE=${launcher}`, join(app, 'bin', 'pcap-sensor'), 'apidump', '--interface', 'lo', '--out', '-']);
  t.equal(direct.status, 1, 'the launcher ran node, whose capture failed');
  t.match(direct.stderr, /NET_RAW/);
});
