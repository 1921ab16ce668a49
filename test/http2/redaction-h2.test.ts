// Redaction of HPACK-decoded header fields through the whole program: `apidump --pcap` with the default
// redaction on an h2c capture whose requests and responses carry credentials. No credential value may
// appear anywhere in the output file; the header names stay, with values hidden as for HTTP/1
// (docs/policy.md, "Redaction": scheme kept for Authorization, cookie names kept, the marker otherwise).
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSensor, STACK_LINE } from '../util/sensor-run.js';
import { PREFACE, DATA, END_STREAM, frame, headers, writeH2Capture } from './h2-capture.js';

const work = mkdtempSync(join(tmpdir(), 'pcs-h2-redact-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

const SECRETS = ['tok3n-bearer-7f21', 'c00kie-sid-55aa', 'c00kie-pref-9b', 'ap1-key-3c4d', 'set-c00kie-e1'];
const MARKER = '\\[REDACTED:[0-9a-f]{12}\\]';

const request = (sid: number, path: string): Buffer => headers(sid, [
  [':method', 'GET'], [':scheme', 'http'], [':path', path], [':authority', 'svc.internal'],
  ['authorization', `Bearer ${SECRETS[0]}`], ['cookie', `sid=${SECRETS[1]}; pref=${SECRETS[2]}`],
  ['x-api-key', SECRETS[3]], ['accept', 'application/json'],
], true);
const response = (sid: number): Buffer => Buffer.concat([
  headers(sid, [[':status', '200'], ['content-type', 'application/json'], ['set-cookie', `sid=${SECRETS[4]}; Path=/; HttpOnly`]]),
  frame(DATA, END_STREAM, sid, Buffer.from('{"ok":true}')),
]);

t.test('HTTP/2 header fields: credentials hidden, names kept', async (t) => {
  const pcap = join(work, 'h2-credentials.pcap');
  writeH2Capture(pcap, [[
    { dir: 0, data: Buffer.concat([PREFACE, request(1, '/items'), request(3, '/orders')]) },
    { dir: 1, data: Buffer.concat([response(1), response(3)]) },
  ]]);
  const out = join(work, 'out.jsonl');
  const res = await runSensor(['apidump', '--pcap', pcap, '--rate-limit', '0', '--log-level', 'warn', '--out', out], { timeoutMs: 120_000 });
  t.equal(res.code, 0, 'exit 0');
  t.notMatch(res.stderr, STACK_LINE, 'no stack trace');
  const text = readFileSync(out, 'utf8');
  for (const s of SECRETS) t.notOk(text.includes(s), `${s} does not appear in the output`);
  const records = text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
  t.equal(records.length, 2, 'two exchanges');
  for (const r of records) {
    t.equal(r.request.version, '2', 'HTTP/2 exchange');
    t.type(r.stream_id, 'number', 'with its stream id');
    const req = new Map<string, string>((r.request.headers as Array<[string, string]>).map(([n, v]) => [n.toLowerCase(), v]));
    t.match(req.get('authorization'), new RegExp(`^Bearer ${MARKER}$`), 'authorization: scheme kept, token hidden');
    t.match(req.get('cookie'), new RegExp(`^sid=${MARKER}; pref=${MARKER}$`), 'cookie: names kept, values hidden');
    t.match(req.get('x-api-key'), new RegExp(`^${MARKER}$`), 'x-api-key: marker');
    t.equal(req.get('accept'), 'application/json', 'other fields untouched');
    const resH = new Map<string, string>((r.response.headers as Array<[string, string]>).map(([n, v]) => [n.toLowerCase(), v]));
    t.match(resH.get('set-cookie'), new RegExp(`^sid=${MARKER}; Path=/; HttpOnly$`), 'set-cookie: name and attributes kept');
  }
});
