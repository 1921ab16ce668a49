// Configuration layers through the real program (bin/pcap-sensor apidump --print-config, and real runs):
// flags > environment (LEVO_*) > config file (YAML) > defaults, one rule at a time.
import t from 'tap';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSensor, REPO_ROOT } from '../util/sensor-run.js';

const CAPTURE = join(REPO_ROOT, 'fixtures', 'captures', 'curl-variety.pcap');
const dir = mkdtempSync(join(tmpdir(), 'pcs-config-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function configFile(yaml: string): string {
  const p = join(dir, `config-${fileNo++}.yaml`);
  writeFileSync(p, yaml);
  return p;
}

/** Environment of the child: no LEVO_* variable of the test runner leaks in; `env` adds some. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LEVO')) e[k] = v;
  // an unset variable must stay unset even if childEnv merges process.env: blank counts as unset
  for (const k of Object.keys(process.env)) if (k.startsWith('LEVO')) e[k] = '';
  return { ...e, ...extra };
}

interface Printed { configFile: string | null; config: Record<string, unknown>; source: Record<string, string> }

async function printConfig(args: string[], extraEnv: Record<string, string> = {}): Promise<Printed> {
  const r = await runSensor(['apidump', '--pcap', CAPTURE, '--out', '-', ...args, '--print-config'], { env: env(extraEnv) });
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Printed;
}

t.test('defaults when nothing is set', async (t) => {
  const p = await printConfig([]);
  t.equal(p.config['rate-limit'], 1000);
  t.equal(p.config['levo-env'], 'staging');
  t.equal(p.source['rate-limit'], 'default');
  t.equal(p.configFile, null);
});

t.test('config file over defaults', async (t) => {
  const f = configFile('rate-limit: 500\npath-exclusions:\n  - ^/health$\n  - ^/a,b$\nredaction: false\n');
  const p = await printConfig(['--config', f]);
  t.equal(p.config['rate-limit'], 500);
  t.same(p.config['path-exclusions'], ['^/health$', '^/a,b$'], 'a YAML list, each item one regex');
  t.equal(p.config.redaction, 'off', 'a YAML boolean for an on/off flag');
  t.equal(p.source['rate-limit'], `file ${f} line 1`);
  t.equal(p.configFile, f);
});

t.test('environment over config file', async (t) => {
  const f = configFile('rate-limit: 500\nfilter: port 80\n');
  const p = await printConfig(['--config', f], { LEVO_RATE_LIMIT: '300' });
  t.equal(p.config['rate-limit'], 300);
  t.equal(p.source['rate-limit'], 'env LEVO_RATE_LIMIT');
  t.equal(p.config.filter, 'port 80', 'what the environment does not set still comes from the file');
});

t.test('flag over environment', async (t) => {
  const p = await printConfig(['--rate-limit', '200', '--path-allow', '^/flag'],
    { LEVO_RATE_LIMIT: '300', LEVO_PATH_ALLOW: '["^/env1", "^/env2"]' });
  t.equal(p.config['rate-limit'], 200);
  t.same(p.config['path-allow'], ['^/flag'], 'a repeatable flag replaces the variable, not merged');
  t.equal(p.source['path-allow'], 'flag');
});

t.test('naming scheme: LEVO_ + upper snake, levo-/levoai- flags keep their name', async (t) => {
  const p = await printConfig([], {
    LEVO_ENV: 'production', LEVOAI_ORG_ID: 'abcd-efgh-1234', LEVO_SATELLITE_URL: 'http://sat.example:9999',
    LEVO_HOST_EXCLUSIONS: '^internal,with-comma$', LEVO_MAX_HTTP_LENGTH: '1000000', LEVO_METRICS_PORT: '9464',
    LEVO_AWS_REGION: 'us-west-2', // not a flag: ignored
  });
  t.equal(p.config['levo-env'], 'production');
  t.equal(p.source['levo-env'], 'env LEVO_ENV');
  t.equal(p.source['levoai-org-id'], 'env LEVOAI_ORG_ID');
  t.equal(p.config['levoai-org-id'], 'abcd********34', 'org id masked but for 4 + 2 characters');
  t.equal(p.config['satellite-url'], 'http://sat.example:9999');
  t.same(p.config['host-exclusions'], ['^internal,with-comma$'], 'a single value is one item, never comma-split');
  t.equal(p.config['max-http-length'], 1000000);
  t.equal(p.config['metrics-port'], 9464);
});

t.test('LEVO_CONFIG names the file; --config wins over it', async (t) => {
  const a = configFile('rate-limit: 11\n');
  const b = configFile('rate-limit: 22\n');
  t.equal((await printConfig([], { LEVO_CONFIG: a })).config['rate-limit'], 11);
  t.equal((await printConfig(['--config', b], { LEVO_CONFIG: a })).config['rate-limit'], 22);
});

t.test('bad values are refused naming their source', async (t) => {
  const run = (args: string[], e: Record<string, string> = {}) =>
    runSensor(['apidump', '--pcap', CAPTURE, '--out', '-', ...args], { env: env(e) });
  let r = await run([], { LEVO_RATE_LIMIT: 'lots' });
  t.equal(r.code, 2);
  t.match(r.stderr, /--rate-limit: .*\(set by LEVO_RATE_LIMIT\)/);
  r = await run([], { LEVO_PATH_ALLOW: '["unclosed' });
  t.equal(r.code, 2);
  t.match(r.stderr, /--path-allow: starts with '\[' but is not a JSON list.*\(set by LEVO_PATH_ALLOW\)/);
  r = await run(['--config', configFile('rate-limt: 5\n')]);
  t.equal(r.code, 2);
  t.match(r.stderr, /unknown key 'rate-limt'/);
  r = await run(['--config', configFile('filter:\n  - a\n  - b\n')]);
  t.equal(r.code, 2);
  t.match(r.stderr, /--filter: takes one value, got a list \(set in config file .*line 1\)/);
  r = await run(['--config', configFile('rate-limit: [1\n')]);
  t.equal(r.code, 2);
  t.match(r.stderr, /config file .*config-\d+\.yaml line \d+: invalid YAML/);
  const f = configFile('redaction: maybe\n');
  r = await run(['--config', f]);
  t.equal(r.code, 2);
  t.match(r.stderr, new RegExp(`redaction.*\\(set in config file ${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} line 1\\)`));
  r = await run(['--config', join(dir, 'missing.yaml')]);
  t.equal(r.code, 2);
  t.match(r.stderr, /--config: cannot read config file .*missing\.yaml: .*\(command line\)/);
});

t.test('layered values reach the pipeline (a real run)', async (t) => {
  const all = await runSensor(['apidump', '--pcap', CAPTURE, '--log-level', 'silent'], { withOut: true, env: env() });
  const f = configFile('path-exclusions: ["^/api/"]\n');
  const filtered = await runSensor(['apidump', '--pcap', CAPTURE, '--log-level', 'silent', '--config', f],
    { withOut: true, env: env({ LEVO_PATH_EXCLUSIONS: '["^/etag$", "^/gzip$"]' }) });
  t.equal(all.code, 0);
  t.equal(filtered.code, 0);
  const paths = (rs: any[]) => rs.map((r) => r.request.path as string);
  const expected = paths(all.records).filter((p) => p !== '/etag' && p !== '/gzip');
  t.ok(paths(all.records).some((p) => p.startsWith('/api/')), 'the capture has /api/ requests');
  t.same(paths(filtered.records), expected, 'the environment list replaced the file list: /api/ kept, /etag and /gzip dropped');
});
