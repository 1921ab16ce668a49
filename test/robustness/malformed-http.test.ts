/**
 * Malformed HTTP through the full pipeline (frames -> decode -> reassembly -> http): bad chunk sizes, huge
 * or negative Content-Length, obs-fold, conflicting Transfer-Encoding and Content-Length, NUL bytes,
 * endless headers, mixed with a valid exchange before and after. Property: no throw, invariants hold, and
 * the malformed message either yields an exchange flagged parse_error / interrupted / no_response or a
 * counted error (http.parse_error.*); the valid exchange before it is always reported exactly.
 */
import t from 'tap';
import fc from 'fast-check';
import { InProcessPipeline, checkProperty, FailureLog, SEED, type Endpoints } from './harness.js';
import { buildFrames, damageArb } from './stream-builder.js';

const MALFORMED: Array<{ name: string; req: string; res?: string }> = [
  { name: 'bad chunk size', req: 'POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n' },
  { name: 'negative chunk size', req: 'POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nabcde\r\n0\r\n\r\n' },
  { name: 'huge chunk size', req: 'POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nab\r\n0\r\n\r\n' },
  { name: 'negative Content-Length', req: 'POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: -10\r\n\r\n' },
  { name: 'huge Content-Length', req: 'POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\nabc' },
  { name: 'conflicting Content-Length', req: 'POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde' },
  { name: 'TE and CL', req: 'POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' },
  { name: 'obs-fold in TE', req: 'POST /m HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n' },
  { name: 'NUL in header', req: 'GET /m HTTP/1.1\r\nHost: a\0b\r\n\r\n' },
  { name: 'NUL in request line', req: 'GET /m\0x HTTP/1.1\r\nHost: a\r\n\r\n' },
  { name: 'bare CR', req: 'GET /m HTTP/1.1\rHost: a\r\n\r\n' },
  { name: 'endless headers', req: 'GET /m HTTP/1.1\r\n' + 'X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(1200) },
  { name: 'bad response chunk', req: 'GET /m HTTP/1.1\r\nHost: a\r\n\r\n', res: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\nabc\r\n0\r\n\r\n' },
  { name: 'negative response CL', req: 'GET /m HTTP/1.1\r\nHost: a\r\n\r\n', res: 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n' },
  { name: 'garbage status line', req: 'GET /m HTTP/1.1\r\nHost: a\r\n\r\n', res: 'HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n' },
  { name: 'response obs-fold in CL', req: 'GET /m HTTP/1.1\r\nHost: a\r\n\r\n', res: 'HTTP/1.1 200 OK\r\nContent-Length:\r\n 3\r\n\r\nabc' },
];

const GOOD_REQ = 'GET /before HTTP/1.1\r\nHost: a\r\n\r\n';
const GOOD_RES = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';
const MAL_RES = 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

const caseArb = fc.record({
  which: fc.nat({ max: MALFORMED.length - 1 }),
  // random bytes spliced into the malformed message (more damage), possibly none
  splice: fc.option(fc.record({ at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }), { nil: undefined }),
  damage: damageArb(false),
});

t.test(`malformed HTTP: flagged or counted, never a crash (seed ${SEED})`, async (t) => {
  const log = new FailureLog();
  const seen = new Set<string>();
  const failure = checkProperty(fc.property(caseArb, (c) => {
    const m = MALFORMED[c.which];
    let mal = Buffer.from(m.req, 'latin1');
    if (c.splice) {
      const at = c.splice.at % (mal.length + 1);
      mal = Buffer.concat([mal.subarray(0, at), Buffer.from(c.splice.bytes), mal.subarray(at)]);
    }
    const ep: Endpoints = { clientIp: '10.2.0.2', serverIp: '10.2.0.1', clientPort: 42000, serverPort: 80 };
    const chunks = [
      { dir: 0 as const, data: Buffer.from(GOOD_REQ) }, { dir: 1 as const, data: Buffer.from(GOOD_RES) },
      { dir: 0 as const, data: mal }, { dir: 1 as const, data: Buffer.from(m.res ?? MAL_RES, 'latin1') },
    ];
    const p = new InProcessPipeline();
    for (const f of buildFrames(ep, chunks, c.damage).frames) p.feed(1, f.data, f.tsSec, f.tsNsec);
    p.finish();
    const bad = p.invariants();
    if (bad.length) return log.fail(`${m.name}: ${bad.join('; ')}`);
    const first = p.exchanges.find((e) => e.depth === 1);
    if (!first || first.request.target !== '/before' || first.response?.status !== 200 || first.response.body.length !== 5 || first.flags.length) {
      return log.fail(`${m.name}: the valid exchange before it was not reported exactly: ${JSON.stringify(first && { t: first.request.target, s: first.response?.status, f: first.flags })}`);
    }
    const parseErrors = Object.entries(p.counters.snapshot()).filter(([k, v]) => k.startsWith('http.parse_error.') && v > 0);
    const later = p.exchanges.filter((e) => e.depth > 1);
    const flagged = later.some((e) => e.flags.some((f) => f === 'parse_error' || f === 'interrupted' || f === 'no_response'));
    if (c.splice === undefined && parseErrors.length === 0 && !flagged) {
      return log.fail(`${m.name}: neither flagged nor counted; exchanges ${JSON.stringify(later.map((e) => ({ t: e.request.target, s: e.response?.status, f: e.flags })))}`);
    }
    seen.add(m.name);
    return true;
  }), 400, log);
  t.equal(failure, '', 'malformed input is flagged or counted, the valid exchange kept');
  t.ok(seen.size >= MALFORMED.length - 2, `${seen.size} of ${MALFORMED.length} malformations exercised`);
});
