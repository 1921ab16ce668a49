import t from 'tap';
import { createHmac } from 'node:crypto';
import { Counters } from '../../src/util/counters.js';
import { Redactor, RedactingSink, REDACTION_COUNTERS } from '../../src/policy/redactor.js';
import { DEFAULT_REDACTED_FIELDS } from '../../src/policy/sensitive-names.js';
import type { HttpExchange } from '../../src/http/types.js';
import { exchange } from './fixtures/heads.js';

const SALT = 'test-salt';
const fp = (secret: string): string => createHmac('sha256', SALT).update(secret).digest('hex').slice(0, 12);
const marker = (secret: string): string => `[REDACTED:${fp(secret)}]`;
const JSON_CT: [string, string] = ['Content-Type', 'application/json; charset=utf-8'];
const FORM_CT: [string, string] = ['Content-Type', 'application/x-www-form-urlencoded'];

function redact(ex: HttpExchange, opts: ConstructorParameters<typeof Redactor>[0] = {}, counters = new Counters()): HttpExchange {
  new Redactor({ salt: SALT, ...opts }, counters).redact(ex);
  return ex;
}
const reqText = (ex: HttpExchange): string => ex.request.body.bytes!.toString('utf8');

t.test('every default JSON field is hidden, nested anywhere', async (t) => {
  for (const field of DEFAULT_REDACTED_FIELDS) {
    const body = JSON.stringify({ user: 'ann', deep: [{ x: 1, [field]: `v-${field}-9` }] });
    const ex = redact(exchange({ reqHeaders: [JSON_CT], reqBody: body, resHeaders: [JSON_CT], resBody: body }));
    const want = JSON.stringify({ user: 'ann', deep: [{ x: 1, [field]: marker(`v-${field}-9`) }] });
    t.equal(reqText(ex), want, `request field ${field}`);
    t.equal(ex.response!.body.bytes!.toString('utf8'), want, `response field ${field}`);
  }
});

t.test('JSON: names compared loosely; values of any type; everything else byte-exact', async (t) => {
  const body = '{\n  "id": 12345678901234567890,\n  "accessToken": "tok\\"en",\n  "API-KEY": 42,\n' +
    '  "credentials": {"user": "a", "password": "p"},\n  "Password": ["x", {"y": 1}],\n  "pwd": null,\n' +
    '  "tokenizer": "keep", "note": "the \\"token\\": is text", "sig" : true\n}';
  const ex = redact(exchange({ reqHeaders: [JSON_CT], reqBody: body }));
  const want = '{\n  "id": 12345678901234567890,\n  "accessToken": "' + marker('tok\\"en') + '",\n  "API-KEY": "' + marker('42') + '",\n' +
    '  "credentials": "' + marker('{"user": "a", "password": "p"}') + '",\n  "Password": "' + marker('["x", {"y": 1}]') + '",\n  "pwd": "' + marker('null') + '",\n' +
    '  "tokenizer": "keep", "note": "the \\"token\\": is text", "sig" : "' + marker('true') + '"\n}';
  t.equal(reqText(ex), want);
  t.equal(ex.request.body.length, Buffer.byteLength(body), 'length keeps the original entity size');
  t.equal(ex.request.body.truncated, false);
});

t.test('JSON: escaped key names, UTF-8 text, top-level arrays, no Content-Type', async (t) => {
  const body = '[{"pass\\u0077ord":"h\u00e9llo","name":"J\u00fcrgen"}]';
  const ex = redact(exchange({ reqBody: body }));
  t.equal(reqText(ex), '[{"pass\\u0077ord":"' + marker('h\u00e9llo') + '","name":"J\u00fcrgen"}]');
});

t.test('JSON: a truncated body is redacted up to the cut', async (t) => {
  const full = '{"a":1,"token":"abcdefghijkl","b":{"secret":"zzzzzzzz';
  const ex = exchange({ reqHeaders: [JSON_CT], reqBody: full });
  ex.request.body.length = 5000;
  ex.request.body.truncated = true;
  redact(ex);
  t.equal(reqText(ex), '{"a":1,"token":"' + marker('abcdefghijkl') + '","b":{"secret":"' + marker('zzzzzzzz') + '"');
  t.equal(ex.request.body.length, 5000);
  t.equal(ex.request.body.truncated, true);
  const cutInKey = exchange({ reqHeaders: [JSON_CT], reqBody: '{"password":"p1","passw' });
  redact(cutInKey);
  t.equal(reqText(cutInKey), '{"password":"' + marker('p1') + '","passw');
});

t.test('JSON: malformed input never throws and untouched bodies keep their buffer', async (t) => {
  const inputs = ['{', '{"', '{"password"', '{"password":', '{"password": ', '"\\', '{"a":"b"}}}]]', '{:::}', '{"token":[[[['];
  for (const s of inputs) {
    const ex = exchange({ reqHeaders: [JSON_CT], reqBody: s });
    t.doesNotThrow(() => redact(ex), s);
    t.notMatch(reqText(ex), /\[\[\[\[/, 'an unterminated secret array is hidden to the end');
  }
  const plain = exchange({ reqHeaders: [JSON_CT], reqBody: '{"a":"b"}' });
  const before = plain.request.body.bytes;
  redact(plain);
  t.equal(plain.request.body.bytes, before, 'same Buffer when nothing was hidden');
});

t.test('text bodies that are not JSON are left alone', async (t) => {
  const ex = redact(exchange({ reqHeaders: [['Content-Type', 'text/plain']], reqBody: 'password: hunter2' }));
  t.equal(reqText(ex), 'password: hunter2');
});

t.test('form bodies: names decoded and compared loosely; values hidden', async (t) => {
  const body = 'username=ann&password=hunter%32&client_secret=a+b&pass%77ord=x&note=password%3Dno&token=&grant_type=pw';
  const ex = redact(exchange({ reqHeaders: [FORM_CT], reqBody: body }));
  t.equal(reqText(ex), `username=ann&password=${marker('hunter%32')}&client_secret=${marker('a+b')}` +
    `&pass%77ord=${marker('x')}&note=password%3Dno&token=&grant_type=pw`);
  t.equal(ex.request.body.length, body.length);
});

t.test('query parameters in the request target', async (t) => {
  const ex = redact(exchange({ target: '/cb?code=1&access_token=AT1&X-Amz-Signature=abcd&state=s' }));
  t.equal(ex.request.target, `/cb?code=1&access_token=${marker('AT1')}&X-Amz-Signature=${marker('abcd')}&state=s`);
  t.equal(ex.request.path, '/cb');
  const none = redact(exchange({ target: '/p?x=1' }));
  t.equal(none.request.target, '/p?x=1');
});

t.test('extra body field names apply to JSON, form and query', async (t) => {
  const opts = { extraBodyFields: ['ssn', 'Card-Number'] };
  t.equal(reqText(redact(exchange({ reqHeaders: [JSON_CT], reqBody: '{"card_number":"4111","ssn":"1"}' }), opts)),
    `{"card_number":"${marker('4111')}","ssn":"${marker('1')}"}`);
  t.equal(reqText(redact(exchange({ reqHeaders: [FORM_CT], reqBody: 'ssn=1' }), opts)), `ssn=${marker('1')}`);
  t.equal(redact(exchange({ target: '/?cardnumber=9' }), opts).request.target, `/?cardnumber=${marker('9')}`);
});

t.test('a body still content-encoded cannot be scanned and is withheld', async (t) => {
  const counters = new Counters();
  const ex = exchange({ resHeaders: [['Content-Encoding', 'zstd'], JSON_CT], resBody: Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2]) });
  redact(ex, {}, counters);
  t.equal(ex.response!.body.bytes, null);
  t.equal(ex.response!.body.truncated, true);
  t.equal(ex.response!.body.length, 6);
  const decoded = exchange({ resHeaders: [['Content-Encoding', 'gzip'], JSON_CT], resBody: '{"token":"t"}' });
  decoded.response!.body.encoding = 'gzip'; // the HTTP stage decoded it
  redact(decoded);
  t.equal(decoded.response!.body.bytes!.toString(), `{"token":"${marker('t')}"}`);
});

t.test('counters and the fail-closed sink', async (t) => {
  const counters = new Counters();
  const r = new Redactor({ salt: SALT }, counters);
  const got: HttpExchange[] = [];
  const sink = new RedactingSink(r, { onExchange: (ex) => { got.push(ex); } });
  sink.onExchange(exchange({
    target: '/?token=1', reqHeaders: [['Cookie', 'a=1'], FORM_CT], reqBody: 'password=x&secret=y',
  }));
  sink.onExchange({ broken: true } as unknown as HttpExchange);
  r.publish();
  t.equal(got.length, 1, 'the broken exchange was dropped, not sent unredacted');
  t.same({
    headers: counters.get(REDACTION_COUNTERS.headers),
    query: counters.get(REDACTION_COUNTERS.queryParams),
    body: counters.get(REDACTION_COUNTERS.bodyFields),
    errors: counters.get(REDACTION_COUNTERS.errors),
  }, { headers: 1, query: 1, body: 2, errors: 1 });
});
