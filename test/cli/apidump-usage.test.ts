// Usage errors of `apidump`, through the real program (bin/pcap-sensor, bin/init): exit status 2, one line on
// stderr naming the flag and where its value came from (command line, LEVO_* variable, config file and line),
// no stack trace, nothing captured. Single-value flags given twice, empty and non-numeric numbers, BPF filters,
// config-file syntax and types. Satellite URLs and export intervals: apidump-usage-export.test.ts.
import t from 'tap';
import { existsSync } from 'node:fs';
import {
  apidump, assertUsageError, capture, configFile, inBatches, INIT_BIN, printConfig, tempPath,
} from './apidump-config-harness.js';

const PCAP = capture('curl-variety');
const BASE = ['--pcap', PCAP, '--out', '-'];
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A valid value for every single-value flag (booleans: none). */
const SINGLE_VALUE: Record<string, string | null> = {
  pcap: PCAP, filter: 'tcp', 'capture-buffer-size': '2MiB', 'stream-timeout-seconds': '5', 'max-http-length': '100',
  out: '-', 'satellite-url': 'http://127.0.0.1:9999', 'levo-env': 'dev', 'levoai-org-id': 'org-1',
  'trace-export-interval': '5', 'export-format': 'levo', 'satellite-ca': '/etc/hostname', 'rate-limit': '5',
  'rate-limit-per-endpoint': '5', redaction: 'off', 'stats-interval': '5', 'log-level': 'warn', 'metrics-port': '0',
  'metrics-host': '127.0.0.1', 'health-capture-stall-seconds': '5', 'health-export-failure-seconds': '5',
  config: '/dev/null', 'print-config': null,
};
const LIST_FLAGS = ['interface', 'host-allow', 'path-allow', 'host-exclusions', 'path-exclusions', 'exclude-user-agent',
  'redact-header', 'redact-body-field'];

t.test('the lists above are every apidump flag (a new flag must be added here)', async (t) => {
  const r = await apidump(['--help']);
  t.equal(r.code, 0);
  const inHelp = [...r.stdout.matchAll(/^\s+--([a-z-]+)/gm)].map((m) => m[1]).filter((f) => f !== 'help' && f !== 'version');
  t.same(inHelp.sort(), [...Object.keys(SINGLE_VALUE), ...LIST_FLAGS].sort());
});

t.test('a single-value flag given twice is refused, whatever its type, even with the same value', async (t) => {
  await inBatches(Object.entries(SINGLE_VALUE), async ([flag, value]) => {
    const twice = value === null ? [`--${flag}`, `--${flag}`] : [`--${flag}`, value, `--${flag}=${value}`];
    const base = BASE.filter((_, i) => BASE[i - (i % 2)] !== `--${flag}`);
    const r = await apidump([...base, ...twice]);
    assertUsageError(t, r, new RegExp(`^Error: --${flag}: given 2 times on the command line; it takes one value`), `--${flag}:`);
  });
});

t.test('the cases seen in use: --out a --out b, --filter X --filter X, --redaction off twice, --pcap F twice', async (t) => {
  const a = tempPath('a.jsonl');
  const b = tempPath('b.jsonl');
  assertUsageError(t, await apidump(['--pcap', PCAP, '--out', a, '--out', b]), /^Error: --out: given 2 times/);
  t.notOk(existsSync(a) || existsSync(b), 'nothing written');
  assertUsageError(t, await apidump([...BASE, '--filter', 'port 8081', '--filter', 'port 8081']), /^Error: --filter: given 2 times/);
  assertUsageError(t, await apidump([...BASE, '--redaction', 'off', '--redaction', 'off']), /^Error: --redaction: given 2 times/);
  assertUsageError(t, await apidump(['--pcap', PCAP, '--pcap', PCAP, '--out', '-']), /^Error: --pcap: given 2 times/);
  for (const f of ['levo-env', 'log-level', 'export-format']) {
    const v = SINGLE_VALUE[f]!;
    assertUsageError(t, await apidump([...BASE, `--${f}`, v, `--${f}`, v]), new RegExp(`^Error: --${f}: given 2 times`));
  }
});

t.test('list flags repeat, one item per occurrence; --no-<flag> is refused', async (t) => {
  const p = await printConfig(t, ['--path-allow', '^/a,b', '--path-allow', '^/c', '--redact-header', 'x-one', '--redact-header', 'x-two']);
  t.same(p.config['path-allow'], ['^/a,b', '^/c']);
  t.same(p.config['redact-header'], ['x-one', 'x-two']);
  assertUsageError(t, await apidump([...BASE, '--no-rate-limit']), /^Error: --no-rate-limit: unknown flag \(command line\)/);
  assertUsageError(t, await apidump([...BASE, '--rate-limt', '5']), /^Error: --rate-limt: unknown flag \(command line\)$/);
  assertUsageError(t, await apidump([...BASE, '--rate-limit']), /^Error: --rate-limit: expected a value \(command line\)$/);
});

t.test('an empty number is refused (it would turn the limit off); the text given is quoted, never NaN', async (t) => {
  for (const f of ['rate-limit', 'max-http-length', 'rate-limit-per-endpoint']) {
    assertUsageError(t, await apidump([...BASE, `--${f}`, '']),
      new RegExp(`^Error: --${f}: expected a whole number >= 0, got an empty value \\(command line\\)$`), `--${f} '':`);
  }
  assertUsageError(t, await apidump([...BASE, '--stream-timeout-seconds', ' ']), /^Error: --stream-timeout-seconds: expected a number > 0, got an empty value \(command line\)$/);
  const f = configFile('levo-env: dev\nrate-limit: ""\n');
  assertUsageError(t, await apidump([...BASE, '--config', f]), new RegExp(`^Error: --rate-limit: expected a whole number >= 0, got an empty value \\(set in config file ${esc(f)} line 2\\)$`));
  const unset = await printConfig(t, [], { LEVO_RATE_LIMIT: '' });
  t.equal(unset.config['rate-limit'], 1000, 'an empty variable counts as unset (documented): the default');
  t.equal(unset.source['rate-limit'], 'default');

  await inBatches(['abc', '1e3', '0x10', '-5', '2.5'], async (bad) => {
    const r = await apidump([...BASE, `--rate-limit=${bad}`]);
    assertUsageError(t, r, new RegExp(`^Error: --rate-limit: expected a whole number >= 0, got '${esc(bad)}' \\(command line\\)$`), `--rate-limit=${bad}:`);
    t.notMatch(r.stderr, /NaN/);
  });
  assertUsageError(t, await apidump(BASE, { env: { LEVO_RATE_LIMIT: 'abc' } }), /^Error: --rate-limit: expected a whole number >= 0, got 'abc' \(set by LEVO_RATE_LIMIT\)$/);
  const g = configFile('levo-env: dev\n\nmax-http-length: 12abc\n');
  assertUsageError(t, await apidump([...BASE, '--config', g]), new RegExp(`^Error: --max-http-length: expected a whole number >= 0, got '12abc' \\(set in config file ${esc(g)} line 3\\)$`));
});

t.test('an invalid BPF filter is a usage error naming its source; a valid one is accepted', async (t) => {
  assertUsageError(t, await apidump([...BASE, '--filter', 'port 99999']), /^Error: --filter: invalid filter 'port 99999': .*99999.* \(command line\)$/);
  assertUsageError(t, await apidump(BASE, { env: { LEVO_FILTER: 'tcp port' } }), /^Error: --filter: invalid filter 'tcp port': .*syntax error.* \(set by LEVO_FILTER\)$/);
  const f = configFile('# the sidecar\nlevo-env: dev\nfilter: host 10.0.0.300\n');
  assertUsageError(t, await apidump([...BASE, '--config', f]), new RegExp(`^Error: --filter: invalid filter 'host 10\\.0\\.0\\.300': .* \\(set in config file ${esc(f)} line 3\\)$`));
  assertUsageError(t, await apidump([...BASE, '--filter', '']), /^Error: --filter: expected a pcap-filter\(7\) expression, got an empty value \(command line\)$/);
  assertUsageError(t, await apidump(['--filter', 'port 99999', '--out', '-'], { bin: INIT_BIN }), /^Error: --filter: invalid filter 'port 99999'.* \(command line\)$/, 'bin/init, live mode:');
  const ok = await printConfig(t, [], { LEVO_FILTER: 'tcp port 8080 and (not port 8081)' });
  t.equal(ok.config.filter, 'tcp port 8080 and (not port 8081)');
  t.equal(ok.source.filter, 'env LEVO_FILTER');
});

t.test('config file: syntax errors and wrongly typed keys name the file and the line', async (t) => {
  const cases: Array<[string, (f: string) => RegExp]> = [
    ['levo-env: dev\nrate-limit: 5\nfilter: "port 80\nstats-interval: 5\n',
      (f) => new RegExp(`^Error: config file ${esc(f)} line 3: invalid YAML in the value of 'filter': Missing closing "quote \\(noticed at line 5\\)$`)],
    ['levo-env: dev\nlevo-env: prod\n', (f) => new RegExp(`^Error: config file ${esc(f)} line 2: invalid YAML: Map keys must be unique$`)],
    ['levo-env: dev\nrate-limit: 5: 6\n', (f) => new RegExp(`^Error: config file ${esc(f)} line 2: invalid YAML: Nested mappings`)],
    ['levo-env: dev\nrate-limt: 5\n', (f) => new RegExp(`^Error: config file ${esc(f)} line 2: unknown key 'rate-limt'`)],
    ['levo-env: dev\nrate-limit: [1, 2]\n', (f) => new RegExp(`^Error: --rate-limit: takes one value, got a list \\(set in config file ${esc(f)} line 2\\)$`)],
    ['filter:\n  port: 80\n', (f) => new RegExp(`^Error: --filter: takes one value, got a mapping \\(set in config file ${esc(f)} line 1\\)$`)],
    ['levo-env: true\n', (f) => new RegExp(`^Error: --levo-env: expected a value, got the YAML boolean true \\(set in config file ${esc(f)} line 1\\)$`)],
    ['\npath-allow: {a: 1}\n', (f) => new RegExp(`^Error: --path-allow: expected a string or a list of strings \\(set in config file ${esc(f)} line 2\\)$`)],
    ['stats-interval: soon\n', (f) => new RegExp(`^Error: --stats-interval: expected a number > 0, got 'soon' \\(set in config file ${esc(f)} line 1\\)$`)],
    ['log-level: loud\n', (f) => new RegExp(`^Error: --log-level: expected one of fatal, error, warn, info, debug, trace, silent, got 'loud' \\(set in config file ${esc(f)} line 1\\)$`)],
    ['- rate-limit: 5\n', (f) => new RegExp(`^Error: config file ${esc(f)} line 1: expected a mapping of flag names to values$`)],
  ];
  await inBatches(cases, async ([yaml, re]) => {
    const f = configFile(yaml);
    assertUsageError(t, await apidump([...BASE, '--config', f]), re(f), JSON.stringify(yaml));
  });
  const f = configFile('rate-limit: [1\n');
  assertUsageError(t, await apidump(BASE, { env: { LEVO_CONFIG: f } }), new RegExp(`^Error: config file ${esc(f)} line \\d: invalid YAML`), 'named by LEVO_CONFIG:');
  assertUsageError(t, await apidump([...BASE, '--config', '/nonexistent/pcs.yaml']), /^Error: --config: cannot read config file \/nonexistent\/pcs\.yaml: .*\(command line\)$/);
  assertUsageError(t, await apidump(BASE, { env: { LEVO_CONFIG: '/nonexistent/pcs.yaml' } }), /^Error: --config: cannot read config file .*\(set by LEVO_CONFIG\)$/);
  assertUsageError(t, await apidump([...BASE, '--config', configFile('log-level: loud\n')], { bin: INIT_BIN }), /^Error: --log-level: .*line 1\)$/, 'bin/init:');
});

t.test('choices are exact; a bad one is listed with the choices and its source', async (t) => {
  assertUsageError(t, await apidump([...BASE, '--export-format', 'LEVO']), /^Error: --export-format: expected one of otlp, levo, got 'LEVO' \(command line\)$/);
  assertUsageError(t, await apidump(BASE, { env: { LEVO_REDACTION: 'maybe' } }), /^Error: --redaction: expected one of on, off, got 'maybe' \(set by LEVO_REDACTION\)$/);
  const p = await printConfig(t, ['--redaction', 'off', '--log-level', 'warn'], { LEVO_EXPORT_FORMAT: 'levo' });
  t.same([p.config.redaction, p.config['log-level'], p.config['export-format']], ['off', 'warn', 'levo']);
});

t.test('regex lists are compiled at start-up; rules between flags are checked before anything starts', async (t) => {
  assertUsageError(t, await apidump([...BASE, '--path-allow', '^/(unclosed']),
    /^Error: --path-allow: invalid regular expression "\^\/\(unclosed": .*Unterminated group \(command line\)$/);
  assertUsageError(t, await apidump(BASE, { env: { LEVO_HOST_EXCLUSIONS: '["^ok$", "a["]' } }),
    /^Error: --host-exclusions: invalid regular expression "a\[": .* \(set by LEVO_HOST_EXCLUSIONS\)$/);
  const f = configFile('exclude-user-agent:\n  - ^kube-probe/\n  - "*bot"\n');
  assertUsageError(t, await apidump([...BASE, '--config', f]),
    new RegExp(`^Error: --exclude-user-agent: invalid regular expression "\\*bot": .* \\(set in config file ${esc(f)} line 1\\)$`));
  assertUsageError(t, await apidump(BASE, { env: { LEVO_INTERFACE: 'lo' } }),
    /^Error: --pcap and --interface exclude each other: read a file or capture live \(--pcap: command line; --interface: set by LEVO_INTERFACE\)$/);
  assertUsageError(t, await apidump(['--interface', 'lo', '--out', '-', '--capture-buffer-size', '64k']),
    /^Error: --capture-buffer-size: at least 1048576 bytes \(1MiB\) for live capture, got 65536 \(command line\)$/);
  assertUsageError(t, await apidump(['--pcap', PCAP]), /^Error: nothing to send exchanges to: give --out FILE \(- for stdout\) and\/or --satellite-url URL$/);
  assertUsageError(t, await apidump(['--pcap', PCAP, '--print-config']), /^Error: nothing to send exchanges to/, '--print-config too:');
  const ok = await printConfig(t, ['--path-exclusions', '(?i)^/HEALTH$', '--path-exclusions', '^/v\\d{1,3}/']);
  t.same(ok.config['path-exclusions'], ['(?i)^/HEALTH$', '^/v\\d{1,3}/']);
});
