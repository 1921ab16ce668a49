import t from 'tap';
import { JsonKeyFilter } from '../../src/policy/json-key-filter.js';
import { redactJsonFields } from '../../src/policy/redact-json.js';
import { Fingerprinter } from '../../src/policy/fingerprint.js';
import { DEFAULT_REDACTED_FIELDS, normaliseFieldName } from '../../src/policy/sensitive-names.js';
import { makePrng } from '../util/prng.js';

const FIELDS = new Set(DEFAULT_REDACTED_FIELDS.map(normaliseFieldName));
const filter = new JsonKeyFilter(FIELDS);
const fp = new Fingerprinter('s');
const may = (text: string): boolean => filter.mayHoldField(Buffer.from(text, 'utf8'));
const scannerRedacts = (b: Buffer): boolean => redactJsonFields(b, FIELDS, fp) !== null;

t.test('bodies without a sensitive key are rejected without scanning', async (t) => {
  t.equal(may('{"items":[{"id":1,"name":"bob","email":"b@x.io","active":false,"score":8.5,"tags":["a"]}]}'), false);
  t.equal(may('{"url": "https://x/token:password", "at": "12:00:00"}'), false, 'colons and names inside values');
  t.equal(may('{"tokenizer": 1, "csrf_token_count": 2, "passwords": 3}'), false, 'longer names are not the field');
  t.equal(may('{"to_ken2": 1, "sig.x": 2}'), false, 'a byte no field uses ends the key');
  t.equal(may(''), false);
  t.equal(may(':::""::'), false);
});

t.test('every way the scanner matches a name answers maybe', async (t) => {
  for (const body of [
    '{"password":"x"}',
    '{"a": {"b": [ {"Access-Token" : 1} ]}}',
    '{"API__KEY":null}',
    '{"_s_i_g_":true}',
    '{"\\u0070assword":"x"}', // escape
    '{"pass\\u0077ord":"x"}', // escape ending in a byte no name uses ('7')
    '{"to\u212Aen":"x"}', // KELVIN SIGN lower-cases to 'k'
    '{"tok\\"en":"x"}', // escaped quote inside a key
    '{"pwd"\t\r\n :1}',
  ]) {
    t.equal(may(body), true, body);
  }
  t.equal(scannerRedacts(Buffer.from('{"to\u212Aen":"x"}')), true, 'the Kelvin case really is redacted');
});

t.test('extra field names, non-ASCII ones included; an empty set never matches', async (t) => {
  const f = new JsonKeyFilter(['ssn', 'passwört'].map(normaliseFieldName));
  t.equal(f.mayHoldField(Buffer.from('{"S-S-N": 1}')), true);
  t.equal(f.mayHoldField(Buffer.from('{"passwört": 1}')), true);
  t.equal(f.mayHoldField(Buffer.from('{"password": 1}')), false, 'defaults are not implied');
  t.equal(new JsonKeyFilter([]).mayHoldField(Buffer.from('{"password": 1}')), false);
});

t.test('keys past the scanner key limit are not candidates', async (t) => {
  t.equal(may(`{"${'-'.repeat(300)}token": 1}`), false, 'the scanner skips keys over 256 bytes');
  t.equal(may(`{"${'-'.repeat(200)}token": 1}`), true);
  t.equal(scannerRedacts(Buffer.from(`{"${'-'.repeat(200)}token": 1}`)), true);
});

// Soundness against the scanner itself: random, often malformed, JSON-like bodies built from names,
// separators, escapes and noise. Whenever the scanner hides something, the filter must say maybe.
for (const extra of [[], ['passwört', 'ssn', 'x.y']]) t.test(`randomised: never says no where the scanner redacts (extra: ${extra.join(' ')})`, async (t) => {
  const rnd = makePrng(20260606);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const fields = new Set([...DEFAULT_REDACTED_FIELDS, ...extra].map(normaliseFieldName));
  const filter = new JsonKeyFilter(fields);
  const scannerRedacts = (b: Buffer): boolean => redactJsonFields(b, fields, fp) !== null;
  const names = [...DEFAULT_REDACTED_FIELDS, ...extra, 'id', 'name', 'tokens', 'Token', 'PASS-word', 'x_Amz-Signature', 'PASSWÖRT', 'passw\\u00f6rt'];
  const pieces = ['"', '\\"', '\\\\', '\\u0070', '\\u006B', ':', ' : ', ',', '{', '}', '[', ']', '\u212A', 'é', '-', '_', '7', 'null', ' '];
  let redacted = 0;
  let rejected = 0;
  for (let n = 0; n < 20000; n++) {
    let s = '';
    const parts = 1 + Math.floor(rnd() * 12);
    for (let p = 0; p < parts; p++) {
      const r = rnd();
      if (r < 0.35) {
        let name = pick(names);
        if (rnd() < 0.3) name = name.toUpperCase();
        if (rnd() < 0.3) { const k = Math.floor(rnd() * name.length); name = name.slice(0, k) + pick(['-', '_', '\\u0061', '\\"']) + name.slice(k); }
        s += `"${name}"${pick([':', ' :', '\n:'])}${pick(['1', '"v"', '{"a":2}', '[3]', ''])}`;
      } else s += pick(pieces);
    }
    const b = Buffer.from(s, 'utf8');
    const byScanner = scannerRedacts(b);
    const byFilter = filter.mayHoldField(b);
    if (byScanner) redacted++;
    if (!byFilter) rejected++;
    if (byScanner && !byFilter) {
      t.fail(`filter rejected a body the scanner redacts: ${JSON.stringify(s)}`);
      return;
    }
  }
  t.ok(redacted > 1000, `the scanner redacted ${redacted} of the bodies`);
  t.ok(rejected > 1000, `the filter rejected ${rejected} of the bodies`);
});
