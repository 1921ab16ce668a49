// More flags take effect, on recorded captures against their ground truth (fixtures/captures/*.expected.json
// and the recording script fixtures/record/record.sh): --redaction, --redact-header, --redact-body-field,
// --max-http-length, --stream-timeout-seconds, --log-level, --levo-env and --levoai-org-id (in the export and
// the start-up line), --capture-buffer-size (--print-config; live: apidump-config-live.test.ts).
import t from 'tap';
import {
  apidump, capture, configFile, exchanges, expected, printConfig, tempPath,
} from './apidump-config-harness.js';
import { RecordingSatellite } from './runtime-harness.js';
import { readPcapFile, writePcapFile } from '../util/pcap-file.js';

const CURL = capture('curl-variety');
const bodyText = (b: { base64: string }): string => Buffer.from(b.base64, 'base64').toString('utf8');
const header = (headers: [string, string][], name: string): string | undefined =>
  headers.find(([n]) => n.toLowerCase() === name)?.[1];
const logLines = (stderr: string): any[] => stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

// record.sh: curl_cli ... -H 'Content-Type: application/json' --data '{"name":"curl","qty":2}' "$u/api/items"
const POSTED = '{"name":"curl","qty":2}';

t.test('--redact-body-field and --redact-header hide those values; --redaction off shows them', async (t) => {
  const on = await exchanges(CURL, ['--redact-body-field', 'name', '--redact-header', 'user-agent']);
  t.equal(on.code, 0, on.stderr);
  const post = on.records.find((r) => r.request.method === 'POST');
  const sent = JSON.parse(bodyText(post.request.body));
  t.equal(sent.qty, 2, 'other fields kept');
  t.not(sent.name, 'curl', 'the named field hidden');
  t.match(sent.name, /REDACTED/);
  t.ok(on.records.every((r) => /REDACTED/.test(header(r.request.headers, 'user-agent') ?? '')), 'every User-Agent hidden');

  const off = await exchanges(CURL, ['--redaction', 'off', '--redact-body-field', 'name', '--redact-header', 'user-agent']);
  t.equal(off.code, 0, off.stderr);
  t.equal(bodyText(off.records.find((r) => r.request.method === 'POST').request.body), POSTED, 'the body as curl sent it');
  t.ok(off.records.every((r) => /^curl\//.test(header(r.request.headers, 'user-agent') ?? '')), "curl's own User-Agent");

  const f = configFile('redaction: false\nredact-body-field: [name]\n');
  const fromFile = await exchanges(CURL, ['--config', f]);
  t.equal(bodyText(fromFile.records.find((r) => r.request.method === 'POST').request.body), POSTED, 'redaction: false in the file');
  const fromEnv = await exchanges(CURL, [], { LEVO_REDACT_BODY_FIELD: '["qty"]' });
  t.same(Object.keys(JSON.parse(bodyText(fromEnv.records.find((r) => r.request.method === 'POST').request.body))), ['name', 'qty']);
  t.match(bodyText(fromEnv.records.find((r) => r.request.method === 'POST').request.body), /"name":"curl".*REDACTED/, 'LEVO_REDACT_BODY_FIELD');
});

t.test('--max-http-length N keeps N decoded bytes of each body and flags longer ones truncated', async (t) => {
  const truth = new Map(expected('curl-variety').map((e) => [e.client_port, e]));
  for (const [args, env, n] of [[['--max-http-length', '100'], {}, 100], [[], { LEVO_MAX_HTTP_LENGTH: '0' }, 0]] as const) {
    const r = await exchanges(CURL, [...args], env);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.records.length, truth.size);
    for (const rec of r.records) {
      const e = truth.get(rec.client.port)!;
      for (const [body, length] of [[rec.request.body, e.request_body_length], [rec.response.body, e.response_body_length]] as const) {
        t.equal(Buffer.from(body.base64, 'base64').length, Math.min(length, n), `${e.method} ${e.target}: ${Math.min(length, n)} bytes kept`);
        t.equal(body.truncated, length > n, `${e.method} ${e.target}: truncated iff longer than ${n}`);
        t.equal(body.length, length, 'the full decoded length is still reported');
      }
    }
  }
});

/**
 * node-keepalive with one segment of the 200 000-byte response moved after the last one (about 10 ms of
 * packet time later): the receiver sees a hole that is filled late.
 */
function lateSegmentCapture(): string {
  const f = readPcapFile(capture('node-keepalive'));
  const full = f.records.map((r, i) => ({ r, i })).filter(({ r }) => r.data.length >= 1514);
  const moved = full[Math.floor(full.length / 2)].i;
  const last = full[full.length - 1].i;
  const records = f.records.filter((_, i) => i !== moved);
  const at = records.indexOf(f.records[last]) + 1;
  records.splice(at, 0, { ...f.records[moved], tsSec: f.records[last].tsSec, tsFrac: f.records[last].tsFrac });
  const p = tempPath('late-segment.pcap');
  writePcapFile(p, { linkType: f.linkType, nano: f.nano, records });
  return p;
}

t.test('--stream-timeout-seconds: a hole filled 10 ms late is a gap only when the timeout is shorter', async (t) => {
  const pcap = lateSegmentCapture();
  const big = expected('node-keepalive').find((e) => e.response_body_length === 200_000)!;
  const find = (records: any[]): any => records.find((r) => r.request.target === big.target);
  const patient = await exchanges(pcap, []);
  t.equal(patient.code, 0, patient.stderr);
  t.equal(patient.records.length, expected('node-keepalive').length);
  t.same(find(patient.records).flags, [], 'default 10 s: the late segment fills the hole');
  t.equal(Buffer.from(find(patient.records).response.body.base64, 'base64').length, big.response_body_length);
  for (const [args, env] of [[['--stream-timeout-seconds', '0.001'], {}], [[], { LEVO_STREAM_TIMEOUT_SECONDS: '0.002' }]] as const) {
    const hasty = await exchanges(pcap, [...args], env);
    t.equal(hasty.code, 0, hasty.stderr);
    t.ok(find(hasty.records).flags.includes('gap'), `${JSON.stringify([args, env])}: the hole became a gap`);
    t.ok(Buffer.from(find(hasty.records).response.body.base64, 'base64').length < big.response_body_length, 'bytes missing');
  }
});

t.test('--log-level: silent writes nothing, error no info lines, info the start-up and stats lines', async (t) => {
  const silent = await apidump(['--pcap', CURL, '--out', tempPath('o.jsonl'), '--log-level', 'silent']);
  t.equal(silent.code, 0);
  t.equal(silent.stderr, '');
  const info = await apidump(['--pcap', CURL, '--out', tempPath('o.jsonl'), '--log-level', 'info']);
  const infoLines = logLines(info.stderr);
  t.ok(infoLines.some((l) => l.msg === 'capture started' && l.level === 30));
  t.ok(infoLines.some((l) => l.msg === 'final stats'));
  const error = await apidump(['--pcap', CURL, '--out', tempPath('o.jsonl')], { env: { LEVO_LOG_LEVEL: 'error' } });
  t.equal(error.code, 0);
  t.same(logLines(error.stderr).filter((l) => l.level < 50), [], 'LEVO_LOG_LEVEL=error: nothing below error');
});

/** OTLP resource attributes as an object. */
function resourceOf(body: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of body?.resourceSpans?.[0]?.resource?.attributes ?? []) out[a.key] = a.value?.stringValue;
  return out;
}

t.test('--levo-env and --levoai-org-id reach the satellite and the start-up line (masked there)', async (t) => {
  const sat = await RecordingSatellite.start();
  t.teardown(() => sat.close());
  const r = await apidump(['--pcap', CURL, '--satellite-url', sat.url(), '--levo-env', 'production', '--log-level', 'info'],
    { env: { LEVOAI_ORG_ID: 'org-0123456789' } });
  t.equal(r.code, 0, r.stderr);
  t.ok(sat.posts.length > 0, 'the satellite received exports');
  t.ok(sat.posts.every((p) => p.headers['x-levo-organization-id'] === 'org-0123456789'), 'org ID header on every export');
  t.ok(sat.posts.every((p) => resourceOf(p.body)['levo.env'] === 'production'), 'environment on every export');
  t.equal(sat.traces().length, expected('curl-variety').length);
  const started = logLines(r.stderr).find((l) => l.msg === 'capture started');
  t.equal(started.levoEnv, 'production');
  t.equal(started.orgId, 'org-********89', 'masked but for 4 + 2 characters');
  t.notMatch(r.stderr, /org-0123456789/, 'the org ID never in the logs');
  const p = await printConfig(t, ['--config', configFile('levo-env: qa\nlevoai-org-id: abcdefghij\n')]);
  t.same([p.config['levo-env'], p.config['levoai-org-id']], ['qa', 'abcd****ij']);
});

t.test('--capture-buffer-size: bytes or a binary unit, shown in bytes', async (t) => {
  t.equal((await printConfig(t, [])).config['capture-buffer-size'], 64 * 1024 * 1024, 'default 64MiB');
  t.equal((await printConfig(t, ['--capture-buffer-size', '2MiB'])).config['capture-buffer-size'], 2 * 1024 * 1024);
  t.equal((await printConfig(t, [], { LEVO_CAPTURE_BUFFER_SIZE: '512k' })).config['capture-buffer-size'], 512 * 1024);
  const r = await apidump(['--pcap', CURL, '--out', '-', '--capture-buffer-size', 'lots']);
  t.equal(r.code, 2);
  t.match(r.stderr, /^Error: --capture-buffer-size: expected a size in bytes such as 67108864 or 64MiB, got 'lots' \(command line\)\n$/);
});
