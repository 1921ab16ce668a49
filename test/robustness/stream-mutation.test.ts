/**
 * Real HTTP streams (the recorded fixtures' byte streams, and synthetic exchanges whose truth is known by
 * construction) cut into random segments, shuffled inside a flight, duplicated, overlapped and, in the
 * lossy properties, partly lost, then captured as frames through decode -> reassembly -> http.
 *
 * Without loss: every exchange is reported exactly as sent, with no damage flag.
 * With loss: every exchange reported without a damage flag (gap, interrupted, parse_error, no_response,
 * decode_error, truncated) is one that was sent (method, target, status, body lengths) — never invented.
 */
import t from 'tap';
import fc from 'fast-check';
import { InProcessPipeline, checkProperty, checkNeverInvented, FailureLog, loadFixtures, isFlagged, SEED, type ExpectedExchange } from './harness.js';
import { damageArb, runConnection } from './stream-builder.js';
import { renderConnection, synthExchangeArb } from './http-synth.js';
import type { HttpExchange } from '../../src/http/index.js';

interface Observed { depth: number; method: string; target: string; status: number | null; req: number; res: number }

function observed(ex: HttpExchange): Observed {
  return {
    depth: ex.depth, method: ex.request.method, target: ex.request.target, status: ex.response?.status ?? null,
    req: ex.request.body.length, res: ex.response ? ex.response.body.length : 0,
  };
}
function fromExpected(e: ExpectedExchange): Observed {
  return { depth: e.order_on_connection, method: e.method, target: e.target, status: e.status, req: e.request_body_length, res: e.response_body_length };
}
const tupleKey = (o: Observed): string => `${o.method} ${o.target} -> ${o.status} req=${o.req} res=${o.res}`;

/** Lossless: exact match in order, no damage flag. Returns a description of the first difference, or ''. */
function checkExact(p: InProcessPipeline, expected: ExpectedExchange[]): string {
  const bad = p.invariants();
  if (bad.length) return bad.join('; ');
  const caps = ['reassembly.cap_conn_segments', 'reassembly.cap_conn_bytes', 'reassembly.cap_total_bytes', 'reassembly.gap'].filter((k) => p.counters.get(k) > 0);
  if (caps.length) return `gaps without loss: ${caps.map((k) => `${k}=${p.counters.get(k)}`).join(' ')}`;
  const got = p.exchanges.map(observed).sort((a, b) => a.depth - b.depth);
  const want = expected.map(fromExpected).sort((a, b) => a.depth - b.depth);
  if (JSON.stringify(got) !== JSON.stringify(want)) return `got ${JSON.stringify(got)}\nwant ${JSON.stringify(want)}`;
  const flagged = p.exchanges.filter(isFlagged);
  if (flagged.length) return `damage flags on a clean stream: ${flagged.map((e) => `${e.depth}:${e.flags.join(',')}`).join(' ')}`;
  return '';
}

/**
 * Known defect (src/http, not ours to fix): after a loss that removes a message head (or a whole
 * message), FIFO pairing can shift by one, and exchanges are emitted unflagged with another request's
 * response. Recognised by its signature: the invented exchange's request was sent, and its response is
 * the response of another sent exchange. Such cases are counted apart (asserted as a todo); any other
 * invented exchange fails the property.
 */
class ShiftTally {
  cases = 0;
  shifted = 0;
  example = '';
  /** true when the first unflagged invented exchange of `p` is a pairing shift (and counts it). */
  absorb(p: InProcessPipeline, expected: ExpectedExchange[], why: string): boolean {
    if (!why.startsWith('unflagged')) return false;
    const sent = expected.map(fromExpected);
    for (const ex of p.exchanges) {
      if (isFlagged(ex)) continue;
      const o = observed(ex);
      if (sent.some((e) => tupleKey(e) === tupleKey(o))) continue;
      const requestSent = sent.some((e) => e.method === o.method && e.target === o.target && e.req === o.req);
      // a HEAD (or 204/304) paired with another response reports no body, so the status alone is compared
      const responseSent = sent.some((e) => e.status === o.status);
      if (!requestSent || !responseSent) return false;
    }
    this.shifted++;
    if (!this.example) this.example = why;
    return true;
  }
}

/** Lossy: every unflagged exchange is one that was sent (as a multiset, ignoring depth). */
const neverInvented = (p: InProcessPipeline, expected: ExpectedExchange[]): string =>
  checkNeverInvented(p, expected.map((e) => tupleKey(fromExpected(e))), (ex) => tupleKey(observed(ex)));

const fixtures = loadFixtures();
const fixtureConns = fixtures.flatMap((fx) => fx.connections.map((c) => ({
  fx: fx.name, c, expected: fx.expected.filter((e) => e.client_port === c.clientPort),
})));

t.test(`fixture streams, segmented / shuffled / duplicated / overlapped, no loss (seed ${SEED})`, async (t) => {
  t.ok(fixtureConns.length > 20, `${fixtureConns.length} fixture connections`);
  const log = new FailureLog();
  const failure = checkProperty(fc.property(fc.nat({ max: fixtureConns.length - 1 }), damageArb(false), (i, d) => {
    const { fx, c, expected } = fixtureConns[i];
    const why = checkExact(runConnection(c.chunks, c.clientPort, c.serverPort, d).p, expected);
    return why === '' || log.fail(`${fx} port ${c.clientPort}: ${why}`);
  }), 60, log);
  t.equal(failure, '', 'every exchange reported exactly, none flagged');
});

t.test(`fixture streams with loss: nothing invented (seed ${SEED})`, async (t) => {
  const log = new FailureLog();
  const shifts = new ShiftTally();
  const failure = checkProperty(fc.property(fc.nat({ max: fixtureConns.length - 1 }), damageArb(true), (i, d) => {
    const { fx, c, expected } = fixtureConns[i];
    const { p, lostBytes } = runConnection(c.chunks, c.clientPort, c.serverPort, d);
    shifts.cases++;
    const why = lostBytes === 0 ? checkExact(p, expected) : neverInvented(p, expected);
    return why === '' || shifts.absorb(p, expected, why) || log.fail(`${fx} port ${c.clientPort} (lost ${lostBytes} B): ${why}`);
  }), 60, log);
  t.equal(failure, '', 'unflagged exchanges were all sent');
  t.equal(shifts.shifted, 0, `pairing shift after a lost whole message: ${shifts.shifted} of ${shifts.cases} cases`,
    { example: shifts.example });
});

const connArb = fc.record({
  exchanges: fc.array(synthExchangeArb, { minLength: 1, maxLength: 6 }),
  pipelined: fc.boolean(),
});

t.test(`synthetic exchanges (CL, chunked, gzip, HEAD, 204/304, 100-continue, pipelining), no loss (seed ${SEED})`, async (t) => {
  const log = new FailureLog();
  const failure = checkProperty(fc.property(connArb, damageArb(false), (conn, d) => {
    const { chunks, expected } = renderConnection(conn.exchanges, 41000, conn.pipelined);
    const why = checkExact(runConnection(chunks, 41000, 8080, d).p, expected);
    return why === '' || log.fail(why);
  }), 60, log);
  t.equal(failure, '', 'every synthetic exchange reported exactly');
});

t.test(`synthetic exchanges with loss: nothing invented (seed ${SEED})`, async (t) => {
  const log = new FailureLog();
  const shifts = new ShiftTally();
  const failure = checkProperty(fc.property(connArb, damageArb(true), (conn, d) => {
    const { chunks, expected } = renderConnection(conn.exchanges, 41000, conn.pipelined);
    const { p, lostBytes } = runConnection(chunks, 41000, 8080, d);
    shifts.cases++;
    const why = lostBytes === 0 ? checkExact(p, expected) : neverInvented(p, expected);
    return why === '' || shifts.absorb(p, expected, why) || log.fail(`(lost ${lostBytes} B) ${why}`);
  }), 80, log);
  t.equal(failure, '', 'unflagged exchanges were all sent');
  t.equal(shifts.shifted, 0, `pairing shift after a lost whole message: ${shifts.shifted} of ${shifts.cases} cases`,
    { example: shifts.example });
});
