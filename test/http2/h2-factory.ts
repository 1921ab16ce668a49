/**
 * The HTTP stage driven in process on one connection (HttpStreamFactory, admit-all policy), for tests that
 * need what the command line does not expose: the body budget (`bodyBytesHeld`), options such as
 * `maxDecodedBytes`, a gap at a chosen place. Each call takes the next timestamp.
 */
import { HttpStreamFactory } from '../../src/http/factory.js';
import type { HttpOptions } from '../../src/http/options.js';
import type { HttpExchange } from '../../src/http/types.js';
import type { ConnectionInfo } from '../../src/reassembly/types.js';
import { Counters } from '../../src/util/counters.js';
import { connInfo } from '../http/harness.js';

/** The request header fields of a gRPC call whose messages are gzip-compressed. */
export const GZIP_GRPC_REQUEST: Array<[string, string]> = [[':method', 'POST'], [':scheme', 'http'], [':path', '/svc.Blobs/Put'],
  [':authority', 'svc:8080'], ['content-type', 'application/grpc'], ['grpc-encoding', 'gzip'], ['te', 'trailers']];

export class H2Pipeline {
  readonly exchanges: HttpExchange[] = [];
  readonly counters = new Counters();
  readonly factory: HttpStreamFactory;
  private readonly c;
  private ts = 1000;

  constructor(opts: Partial<HttpOptions> = {}, info: Partial<ConnectionInfo> = {}) {
    this.factory = new HttpStreamFactory({ onExchange: (ex) => this.exchanges.push(ex) }, { admit: () => true }, opts, this.counters);
    this.c = this.factory.create(connInfo({ serverPort: 8080, ...info }));
  }

  /** Bytes from the client (0) or the server (1), in one chunk. */
  send(dir: 0 | 1, data: Buffer): this {
    this.c.onData(dir, data, this.ts++, 0);
    return this;
  }

  /** `length` bytes of `dir` lost. */
  gap(dir: 0 | 1, length: number): this {
    this.c.onGap(dir, length, this.ts++, 0);
    return this;
  }

  close(): this {
    this.c.onClose('fin', this.ts++, 0);
    return this;
  }

  /** The body budget still held (0 once every exchange is emitted). */
  get held(): number {
    return this.factory.bodyBytesHeld;
  }

  count(name: string): number {
    return this.counters.get(name);
  }
}
