/**
 * HTTP/2 streams under the damage the HTTP/1 streams get (stream-mutation.test.ts): the recorded h2c / gRPC
 * connections (fixtures/captures-h2) and synthetic ones (h2-synth.ts: dynamic-table HPACK with Huffman
 * strings, CONTINUATION, interleaved DATA, RST_STREAM, GOAWAY, gRPC) cut into random segments, shuffled
 * inside a flight, duplicated, overlapped and, in the lossy properties, partly lost, then captured as
 * frames through decode -> reassembly -> http.
 *
 * Without loss: every stream reported exactly as sent (stream id, method, path, status, body lengths, gRPC
 * status, flags). With loss: every stream reported without a damage flag (DAMAGE_FLAGS, `header_error`
 * included) is one that was sent, never invented; every loss is counted (a gap in reassembly and in the HTTP
 * stage); the direction hit by a gap reads again from a frame start.
 */
import t from 'tap';
import fc from 'fast-check';
import { InProcessPipeline, checkProperty, checkNeverInvented, FailureLog, loadH2Fixtures, SEED, type ExpectedExchange } from './harness.js';
import { damageArb, runConnection } from './stream-builder.js';
import { renderH2Connection, synthConnectionArb, type H2Truth } from './h2-synth.js';
import type { HttpExchange } from '../../src/http/index.js';

/** What is compared: the truth's fields, from an exchange. */
function observed(ex: HttpExchange): H2Truth {
  return {
    streamId: ex.streamId ?? 0, method: ex.request.method, target: ex.request.target, status: ex.response?.status ?? null,
    req: ex.request.body.length, res: ex.response ? ex.response.body.length : 0,
    flags: ex.flags.filter((f) => f !== 'upgraded').sort(), grpcStatus: ex.grpc?.status ?? null,
  };
}
const key = (o: Pick<H2Truth, 'method' | 'target' | 'status' | 'req' | 'res'>): string => `${o.method} ${o.target} -> ${o.status} req=${o.req} res=${o.res}`;

function fixtureTruth(e: ExpectedExchange): Pick<H2Truth, 'method' | 'target' | 'status' | 'req' | 'res' | 'flags'> {
  return { method: e.method, target: e.target, status: e.status, req: e.request_body_length, res: e.response_body_length, flags: e.flags ?? [] };
}

function sharedFailures(p: InProcessPipeline): string {
  const bad = p.invariants();
  if (bad.length) return bad.join('; ');
  const caps = ['reassembly.gap', 'http2.gap_desync', 'http2.frame_error', 'http2.hpack_unknown_index', 'http2.continuation_missing']
    .filter((k) => p.counters.get(k) > 0);
  return caps.length ? `damage counted on a clean stream: ${caps.map((k) => `${k}=${p.counters.get(k)}`).join(' ')}` : '';
}

/** Lossless synthetic connection: exact, stream by stream. */
function checkExactSynth(p: InProcessPipeline, truth: H2Truth[]): string {
  const shared = sharedFailures(p);
  if (shared) return shared;
  const got = p.exchanges.map(observed).sort((a, b) => a.streamId - b.streamId);
  return JSON.stringify(got) === JSON.stringify(truth) ? '' : `got  ${JSON.stringify(got)}\nwant ${JSON.stringify(truth)}`;
}

/** Lossless fixture connection: the same multiset of (method, path, status, bodies, flags); no damage flag. */
function checkExactFixture(p: InProcessPipeline, expected: ExpectedExchange[]): string {
  const shared = sharedFailures(p);
  if (shared) return shared;
  const got = p.exchanges.map((ex) => { const o = observed(ex); return `${key(o)} [${o.flags.join(',')}]`; }).sort();
  const want = expected.map((e) => { const o = fixtureTruth(e); return `${key(o)} [${o.flags.join(',')}]`; }).sort();
  return JSON.stringify(got) === JSON.stringify(want) ? '' : `got  ${JSON.stringify(got)}\nwant ${JSON.stringify(want)}`;
}

/** Lossy: every unflagged stream is one that was sent (as a multiset). */
const neverInvented = (p: InProcessPipeline, sent: Array<Pick<H2Truth, 'method' | 'target' | 'status' | 'req' | 'res'>>): string =>
  checkNeverInvented(p, sent.map(key), (ex) => key(observed(ex)));

const fixtureConns = loadH2Fixtures().flatMap((fx) => fx.connections.map((c) => ({
  fx: fx.name, c, expected: fx.expected.filter((e) => e.client_port === c.clientPort),
}))).filter((x) => x.expected.length > 0);

t.test(`recorded HTTP/2 streams, segmented / shuffled / duplicated / overlapped, no loss (seed ${SEED})`, async (t) => {
  t.ok(fixtureConns.length >= 8, `${fixtureConns.length} recorded HTTP/2 connections`);
  const log = new FailureLog();
  const failure = checkProperty(fc.property(fc.nat({ max: fixtureConns.length - 1 }), damageArb(false), (i, d) => {
    const { fx, c, expected } = fixtureConns[i];
    const why = checkExactFixture(runConnection(c.chunks, c.clientPort, c.serverPort, d).p, expected);
    return why === '' || log.fail(`${fx} port ${c.clientPort}: ${why}`);
  }), 40, log);
  t.equal(failure, '', 'every stream reported exactly, none flagged');
});

t.test(`recorded HTTP/2 streams with loss: nothing invented (seed ${SEED})`, async (t) => {
  const log = new FailureLog();
  const failure = checkProperty(fc.property(fc.nat({ max: fixtureConns.length - 1 }), damageArb(true), (i, d) => {
    const { fx, c, expected } = fixtureConns[i];
    const { p, lostBytes } = runConnection(c.chunks, c.clientPort, c.serverPort, d);
    const why = lostBytes === 0 ? checkExactFixture(p, expected) : neverInvented(p, expected.map(fixtureTruth));
    return why === '' || log.fail(`${fx} port ${c.clientPort} (lost ${lostBytes} B): ${why}`);
  }), 40, log);
  t.equal(failure, '', 'unflagged streams were all sent');
});

t.test(`synthetic HTTP/2 (dynamic table, Huffman, CONTINUATION, interleaved DATA, RST_STREAM, GOAWAY, gRPC), no loss (seed ${SEED})`, async (t) => {
  const log = new FailureLog();
  const failure = checkProperty(fc.property(synthConnectionArb, damageArb(false), (conn, d) => {
    const { chunks, truth } = renderH2Connection(conn);
    const why = checkExactSynth(runConnection(chunks, 43000, 8080, d).p, truth);
    return why === '' || log.fail(why);
  }), 80, log);
  t.equal(failure, '', 'every synthetic stream reported exactly');
});

t.test(`synthetic HTTP/2 with loss: nothing invented (seed ${SEED})`, async (t) => {
  const log = new FailureLog();
  let resynced = 0;
  const failure = checkProperty(fc.property(synthConnectionArb, damageArb(true), (conn, d) => {
    const { chunks, truth } = renderH2Connection(conn);
    const { p, lostBytes } = runConnection(chunks, 43000, 8080, d);
    resynced += p.counters.get('http2.resync');
    const gaps = p.counters.get('http2.gap_desync') + p.counters.get('http.gaps');
    // (an overlapping re-send of a neighbour may cover lost bytes, so only without overlaps must a loss be a gap)
    if (lostBytes > 0 && d.overlap === 0 && (p.counters.get('reassembly.gap') === 0 || gaps === 0)) return log.fail(`lost ${lostBytes} B, not counted: reassembly.gap ${p.counters.get('reassembly.gap')}, http2.gap_desync + http.gaps ${gaps}`);
    const why = lostBytes === 0 ? checkExactSynth(p, truth) : neverInvented(p, truth);
    return why === '' || log.fail(`(lost ${lostBytes} B) ${why}`);
  }), 80, log);
  t.equal(failure, '', 'unflagged streams were all sent');
  t.ok(resynced > 0, `directions read again after a gap: http2.resync = ${resynced}`);
});
