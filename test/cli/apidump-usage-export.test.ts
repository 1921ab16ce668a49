// `--satellite-url` and `--trace-export-interval` through the real program: the documented forms are
// accepted and shown by --print-config, everything else is a usage error (exit 2, one line, the flag, what is
// wrong and where the value came from, no stack trace). From the command line, LEVO_* variables and the file.
import t from 'tap';
import { apidump, assertUsageError, capture, configFile, exchanges, expected, inBatches, INIT_BIN, printConfig } from './apidump-config-harness.js';

const BASE = ['--pcap', capture('curl-variety'), '--out', '-'];
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

t.test('--satellite-url: http(s)://host:port (an optional path prefix) is accepted as given', async (t) => {
  await inBatches(['http://127.0.0.1:9999', 'https://satellite.internal:8443', 'http://[::1]:9999', 'https://10.0.0.5:443/levo'], async (url) => {
    const p = await printConfig(t, ['--satellite-url', url]);
    t.equal(p.config['satellite-url'], url);
  });
  const p = await printConfig(t, [], { LEVO_SATELLITE_URL: 'http://sat:9999' });
  t.equal(p.source['satellite-url'], 'env LEVO_SATELLITE_URL');
});

t.test('--satellite-url: each refusal says which part is wrong', async (t) => {
  const cases: Array<[string, string]> = [
    ['http://127.0.0.1', "'http://127.0.0.1' has no port; expected http(s)://host:port"],
    ['https://satellite.internal/', "'https://satellite.internal/' has no port"],
    ['http://127.0.0.1:', "'http://127.0.0.1:' has no port"],
    ['http://127.0.0.1:99999', "'http://127.0.0.1:99999' has port 99999, out of range 1-65535"],
    ['http://127.0.0.1:0', "'http://127.0.0.1:0' has port 0, out of range 1-65535"],
    ['http://127.0.0.1:99a', "'http://127.0.0.1:99a' has port '99a', not a number"],
    ['ftp://127.0.0.1:21', "'ftp://127.0.0.1:21' has scheme 'ftp'; use http:// or https://"],
    ['http://:9999', "'http://:9999' has no host"],
    ['http://u:p@sat:9999', "'http://u:p@sat:9999' carries credentials"],
    ['http://sat:9999/?x=1', "'http://sat:9999/?x=1' has a query or fragment"],
    ['http://sat:9999/v1/traces', "'http://sat:9999/v1/traces' ends with /v1/traces, which the sensor appends itself"],
    ['http://sat:9999/1.0/ebpf/traces/', "ends with /1.0/ebpf/traces"],
    ['sat:9999', "'sat:9999' is not a URL; expected http(s)://host:port"],
    ['', 'expected http(s)://host:port, e.g. http://satellite:9999, got an empty value'],
  ];
  await inBatches(cases, async ([url, why]) => {
    assertUsageError(t, await apidump([...BASE, '--satellite-url', url]), new RegExp(`^Error: --satellite-url: .*${esc(why)}.*\\(command line\\)$`), url);
  });
  assertUsageError(t, await apidump(BASE, { env: { LEVO_SATELLITE_URL: 'http://127.0.0.1' } }),
    /^Error: --satellite-url: 'http:\/\/127\.0\.0\.1' has no port; .*\(set by LEVO_SATELLITE_URL\)$/);
  const f = configFile('levo-env: production\nsatellite-url: http://127.0.0.1:99999\n');
  assertUsageError(t, await apidump([...BASE, '--config', f]),
    new RegExp(`^Error: --satellite-url: .* has port 99999, out of range 1-65535 \\(set in config file ${esc(f)} line 2\\)$`));
  assertUsageError(t, await apidump(['--satellite-url', 'http://127.0.0.1', '--levoai-org-id', 'org'], { bin: INIT_BIN }),
    /^Error: --satellite-url: 'http:\/\/127\.0\.0\.1' has no port; .*\(command line\)$/, 'bin/init:');
});

t.test('--trace-export-interval: seconds or ms/s/m/h from 10 ms to 24 h, shown in seconds', async (t) => {
  const accepted: Array<[string, number]> = [['10', 10], ['2.5', 2.5], ['500ms', 0.5], ['10ms', 0.01], ['10s', 10],
    ['2m', 120], ['1h', 3600], ['24h', 86400], ['1.5H', 5400], ['86400', 86400]];
  await inBatches(accepted, async ([given, seconds]) => {
    const p = await printConfig(t, ['--trace-export-interval', given]);
    t.equal(p.config['trace-export-interval'], seconds, `${given} = ${seconds} s`);
  });
  t.equal((await printConfig(t, [])).config['trace-export-interval'], 10, 'default 10 s');
  t.equal((await printConfig(t, [], { LEVO_TRACE_EXPORT_INTERVAL: '2h' })).config['trace-export-interval'], 7200);
  t.equal((await printConfig(t, ['--config', configFile('trace-export-interval: 90m\n')])).config['trace-export-interval'], 5400);
});

t.test('--trace-export-interval: out of range or unreadable is refused with the range or the forms', async (t) => {
  await inBatches(['25h', '86401', '9ms', '0', '0.001'], async (bad) => {
    assertUsageError(t, await apidump([...BASE, '--trace-export-interval', bad]),
      new RegExp(`^Error: --trace-export-interval: '${esc(bad)}' is out of range: from 10 ms to 24 h \\(command line\\)$`), bad);
  });
  await inBatches(['soon', '1d', '10 sec', '-5', '1e3'], async (bad) => {
    assertUsageError(t, await apidump([...BASE, '--trace-export-interval', bad]),
      new RegExp(`^Error: --trace-export-interval: expected seconds \\(10, 2\\.5\\) or a number with a unit \\(500ms, 10s, 2m, 1h\\), got '${esc(bad)}' \\(command line\\)$`), bad);
  });
  assertUsageError(t, await apidump(BASE, { env: { LEVO_TRACE_EXPORT_INTERVAL: '48h' } }),
    /^Error: --trace-export-interval: '48h' is out of range: from 10 ms to 24 h \(set by LEVO_TRACE_EXPORT_INTERVAL\)$/);
  const f = configFile('levo-env: dev\ntrace-export-interval: 5ms\n');
  assertUsageError(t, await apidump([...BASE, '--config', f]),
    new RegExp(`^Error: --trace-export-interval: '5ms' is out of range: from 10 ms to 24 h \\(set in config file ${esc(f)} line 2\\)$`));
});

t.test('a run with --trace-export-interval 1h starts and writes every exchange of the capture', async (t) => {
  const r = await exchanges(capture('curl-variety'), ['--trace-export-interval', '1h', '--log-level', 'info']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.records.length, expected('curl-variety').length);
  const started = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.msg === 'capture started');
  t.equal(started?.exportIntervalMs, 3_600_000, 'the export stage was given 1 h');
});
