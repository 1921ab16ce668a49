// HTTP/2 cleartext (prior knowledge) and gRPC messages for the synthetic capture (docs/performance.md,
// "The h2c capture"). Frames and header blocks come from h2-frames.mjs; its stateless `hpack` (static-table
// indexed fields and literals without indexing, no Huffman coding) is used, so no header block depends on
// another one and any stream can be cut out of the capture on its own.
//
// h2Exchanges(rng, pool, host) returns { messages(c), truth }: messages(c) gives the client's and the
// server's bytes for one stream on connection `c` ([request, response]; the first stream of a connection
// also carries the preface and SETTINGS, the second the client's SETTINGS ACK), and counts into truth
// { streams, grpc, grpcErrors }. One stream per call: the streams of one connection follow each other.

import { END_HEADERS, END_STREAM, HEADERS as FRAME_HEADERS, PREFACE,
  dataFrames, frame, grpcMessages, hpack, settings, windowUpdate } from './h2-frames.mjs';

/** Static-table indices (RFC 7541 Appendix A) used below. */
const S = { authority: 1, get: 2, post: 3, schemeHttp: 6, status200: 8, status404: 13, path: 4, accept: 19,
  authorization: 23, contentLength: 28, contentType: 31, date: 33, server: 54, userAgent: 58 };

const CLIENT_OPEN = Buffer.concat([PREFACE,
  settings([[2, 0], [4, 0x7fffffff]]), // ENABLE_PUSH 0, INITIAL_WINDOW_SIZE
  windowUpdate(0, 0x7fff0000)]);
const SERVER_OPEN = Buffer.concat([settings([[3, 100], [4, 0x7fffffff]]), settings([], true)]);
const SETTINGS_ACK = settings([], true);
const DATE = 'Sun, 29 Nov 2026 05:00:00 GMT';
const GRPC_METHODS = ['/bench.v1.Items/Get', '/bench.v1.Items/List', '/bench.v1.Orders/Create'];

/**
 * @param {() => number} rng
 * @param {{small: Array<{plain: Buffer}>, medium: Array<{plain: Buffer}>, large: Array<{plain: Buffer}>, requestBodies: Buffer[]}} pool
 * @param {string} host  :authority
 */
export function h2Exchanges(rng, pool, host) {
  const truth = { streams: 0, grpc: 0, grpcErrors: 0 };
  const pickBody = () => {
    const c = rng();
    const cls = c < 0.7 ? pool.small : c < 0.95 ? pool.medium : pool.large;
    return cls[Math.floor(rng() * cls.length)].plain;
  };

  /** JSON over HTTP/2: GET 75 % (no body), POST 25 % (JSON body); 200 with a pooled body. */
  const rest = (stream, id) => {
    const post = rng() < 0.25;
    const reqFields = [post ? S.post : S.get, S.schemeHttp, [S.authority, host],
      [S.path, post ? '/api/v2/items' : `/api/v2/items/${id}?fields=all`], [S.userAgent, 'bench-h2/1.0'],
      [S.accept, 'application/json'], [S.authorization, `Bearer tok${id}abcdef`], ['x-request-id', `${id}-${Math.floor(rng() * 1e9)}`]];
    const reqBody = post ? pool.requestBodies[Math.floor(rng() * pool.requestBodies.length)] : null;
    if (reqBody) reqFields.push([S.contentType, 'application/json'], [S.contentLength, String(reqBody.length)]);
    const req = [frame(FRAME_HEADERS, END_HEADERS | (reqBody ? 0 : END_STREAM), stream, hpack(reqFields))];
    if (reqBody) req.push(...dataFrames(stream, reqBody, true));
    const body = pickBody();
    const res = [frame(FRAME_HEADERS, END_HEADERS, stream, hpack([S.status200, [S.contentType, 'application/json'],
      [S.contentLength, String(body.length)], [S.date, DATE], [S.server, 'bench-h2/1.0']])), ...dataFrames(stream, body, true)];
    return [req, res];
  };

  /** gRPC unary call: 1 request message, 1-3 response messages and grpc-status 0 trailers; 5 % fail trailers-only. */
  const grpc = (stream, id) => {
    truth.grpc++;
    const reqFields = [S.post, S.schemeHttp, [S.authority, host], [S.path, GRPC_METHODS[id % GRPC_METHODS.length]],
      [S.contentType, 'application/grpc'], ['te', 'trailers'], [S.userAgent, 'grpc-bench/1.0'],
      [S.authorization, `Bearer tok${id}abcdef`]];
    const req = [frame(FRAME_HEADERS, END_HEADERS, stream, hpack(reqFields)),
      ...dataFrames(stream, grpcMessages([pool.requestBodies[id % pool.requestBodies.length]]), true)];
    if (rng() < 0.05) {
      truth.grpcErrors++;
      return [req, [frame(FRAME_HEADERS, END_HEADERS | END_STREAM, stream, hpack([S.status200,
        [S.contentType, 'application/grpc'], ['grpc-status', '5'], ['grpc-message', 'item not found']]))]];
    }
    const msgs = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => pickBody());
    const res = [frame(FRAME_HEADERS, END_HEADERS, stream, hpack([S.status200, [S.contentType, 'application/grpc']])),
      ...dataFrames(stream, grpcMessages(msgs), false),
      frame(FRAME_HEADERS, END_HEADERS | END_STREAM, stream, hpack([['grpc-status', '0'], ['grpc-message', '']]))];
    return [req, res];
  };

  /**
   * @param {{h2?: {next: number}}} c  the connection (its HTTP/2 state is kept on it)
   * @returns {[Buffer, Buffer]}
   */
  const messages = (c) => {
    const first = c.h2 === undefined;
    c.h2 ??= { next: 1 };
    const stream = c.h2.next;
    c.h2.next += 2;
    truth.streams++;
    const id = Math.floor(rng() * 100000);
    const [req, res] = rng() < 0.5 ? grpc(stream, id) : rest(stream, id);
    if (first) { req.unshift(CLIENT_OPEN); res.unshift(SERVER_OPEN); }
    else if (stream === 3) req.unshift(SETTINGS_ACK);
    return [Buffer.concat(req), Buffer.concat(res)];
  };
  return { messages, truth };
}
