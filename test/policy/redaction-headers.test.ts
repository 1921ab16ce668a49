import t from 'tap';
import { createHmac } from 'node:crypto';
import { Counters } from '../../src/util/counters.js';
import { Redactor, REDACTION_COUNTERS } from '../../src/policy/redactor.js';
import { DEFAULT_REDACTED_HEADERS } from '../../src/policy/sensitive-names.js';
import { exchange } from './fixtures/heads.js';

const SALT = 'test-salt';
/** The documented fingerprint: first 12 hex digits of HMAC-SHA256(salt, secret). */
const fp = (secret: string): string => createHmac('sha256', SALT).update(secret).digest('hex').slice(0, 12);
const MARKER = /\[REDACTED:[0-9a-f]{12}\]/;

function redactor(opts: ConstructorParameters<typeof Redactor>[0] = {}): Redactor {
  return new Redactor({ salt: SALT, ...opts }, new Counters());
}

t.test('every default header value is hidden, in requests and responses', async (t) => {
  t.ok(DEFAULT_REDACTED_HEADERS.length >= 15);
  for (const name of DEFAULT_REDACTED_HEADERS) {
    const secret = `s3cr3t-${name}-value`;
    const ex = exchange({ reqHeaders: [[name, secret]], resHeaders: [[name.toUpperCase(), secret]] });
    redactor().redact(ex);
    for (const [where, v] of [['request', ex.request.headers[0][1]], ['response', ex.response!.headers[0][1]]]) {
      t.notMatch(v, 's3cr3t', `${name} (${where}) does not leak`);
      t.match(v, MARKER, `${name} (${where}) carries the marker`);
    }
    t.equal(ex.request.headers[0][0], name, 'the header name is unchanged');
  }
});

t.test('Authorization keeps its scheme; fingerprints distinguish tokens', async (t) => {
  const ex = exchange({
    reqHeaders: [
      ['Authorization', 'Bearer tokenA'],
      ['authorization', 'Bearer tokenB'],
      ['AUTHORIZATION', 'Bearer tokenA'],
      ['Proxy-Authorization', 'Basic dXNlcjpwYXNz'],
      ['Authorization', 'AWS4-HMAC-SHA256 Credential=AKIA/20240101/us-east-1/s3/aws4_request, Signature=abc'],
      ['Authorization', 'rawtokenwithoutscheme'],
      ['Content-Type', 'application/json'],
      ['User-Agent', 'curl/8'],
    ],
  });
  redactor().redact(ex);
  const v = ex.request.headers.map((h) => h[1]);
  t.equal(v[0], `Bearer [REDACTED:${fp('tokenA')}]`);
  t.equal(v[1], `Bearer [REDACTED:${fp('tokenB')}]`);
  t.not(v[0], v[1], 'different tokens stay distinguishable');
  t.equal(v[2], v[0], 'the same token gives the same marker');
  t.equal(v[3], `Basic [REDACTED:${fp('dXNlcjpwYXNz')}]`);
  t.match(v[4], /^AWS4-HMAC-SHA256 \[REDACTED:[0-9a-f]{12}\]$/);
  t.equal(v[5], `[REDACTED:${fp('rawtokenwithoutscheme')}]`);
  t.equal(v[6], 'application/json', 'other headers untouched');
  t.equal(v[7], 'curl/8');
});

t.test('cookies: names kept, values hidden; Set-Cookie attributes kept', async (t) => {
  const ex = exchange({
    reqHeaders: [['Cookie', 'sid=abc123; theme=dark;  csrf=xyz']],
    resHeaders: [['Set-Cookie', 'sid=newsecret; Path=/; HttpOnly; Secure; Expires=Wed, 21 Oct 2026 07:28:00 GMT']],
  });
  redactor().redact(ex);
  t.equal(ex.request.headers[0][1], `sid=[REDACTED:${fp('abc123')}]; theme=[REDACTED:${fp('dark')}]; csrf=[REDACTED:${fp('xyz')}]`);
  t.equal(ex.response!.headers[0][1], `sid=[REDACTED:${fp('newsecret')}]; Path=/; HttpOnly; Secure; Expires=Wed, 21 Oct 2026 07:28:00 GMT`);
});

t.test('salt: configured salts agree across instances; random salts differ', async (t) => {
  const a = exchange({ reqHeaders: [['X-Api-Key', 'k1']] });
  const b = exchange({ reqHeaders: [['X-Api-Key', 'k1']] });
  redactor().redact(a);
  redactor().redact(b);
  t.equal(a.request.headers[0][1], b.request.headers[0][1]);
  const c = exchange({ reqHeaders: [['X-Api-Key', 'k1']] });
  const d = exchange({ reqHeaders: [['X-Api-Key', 'k1']] });
  new Redactor({}, new Counters()).redact(c);
  new Redactor({}, new Counters()).redact(d);
  t.match(c.request.headers[0][1], MARKER);
  t.not(c.request.headers[0][1], d.request.headers[0][1], 'per-process random salt');
  t.throws(() => new Redactor({ salt: '' }, new Counters()));
});

t.test('extra header names; empty values stay empty; redaction off', async (t) => {
  const ex = exchange({ reqHeaders: [['X-Tenant-Secret', 'abc'], ['Authorization', ''], ['X-Other', 'keep']] });
  const counters = new Counters();
  const r = new Redactor({ salt: SALT, extraHeaders: ['x-tenant-SECRET'] }, counters);
  r.redact(ex);
  t.equal(ex.request.headers[0][1], `[REDACTED:${fp('abc')}]`);
  t.equal(ex.request.headers[1][1], '');
  t.equal(ex.request.headers[2][1], 'keep');
  r.publish();
  t.equal(counters.get(REDACTION_COUNTERS.headers), 1);

  const off = exchange({ reqHeaders: [['Authorization', 'Bearer tokenA']], target: '/x?token=abc' });
  redactor({ enabled: false }).redact(off);
  t.equal(off.request.headers[0][1], 'Bearer tokenA');
  t.equal(off.request.target, '/x?token=abc');
});

t.test('fingerprints stay exact past the fingerprint cache (3000 distinct secrets, twice)', async (t) => {
  const { Fingerprinter } = await import('../../src/policy/fingerprint.js');
  const f = new Fingerprinter(SALT);
  let wrong = 0;
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 3000; i++) {
      const s = `secret-${i}`;
      if (f.fingerprint(s) !== fp(s) || f.fingerprint(Buffer.from(s)) !== fp(s)) wrong++;
    }
  }
  t.equal(wrong, 0);
  t.equal(f.fingerprint('x'.repeat(5000)), fp('x'.repeat(5000)), 'long secrets are not cached but still right');
});
