// The HPACK decoder against an independent encoder: Node's http2 client (nghttp2) sends requests into an
// in-memory socket, the test plays the server's SETTINGS (SETTINGS_HEADER_TABLE_SIZE), and every HEADERS
// block the client wrote is decoded in order by one decoder and compared with the fields the client was
// given. The fields repeat and change at random, so blocks refer to dynamic entries of every age while
// older ones are evicted: the table turns over many times (its slots wrap around), grows while it holds
// entries, and follows size updates down, to 0 and up again (two updates in one block).
import t from 'tap';
import http2 from 'node:http2';
import { Duplex } from 'node:stream';
import { HpackDecoder } from '../../src/http2/hpack.js';
import { makePrng } from '../util/prng.js';
import { CONTINUATION, HEADERS, PREFACE, SETTINGS, settings } from '../../bench/lib/h2-frames.mjs';

const SETTINGS_HEADER_TABLE_SIZE = 1;

/** The client's side of the connection: its frames as written, and waits for frame counts. */
class Wire {
  private bytes = Buffer.alloc(0);
  private off = PREFACE.length;
  readonly blocks: Buffer[] = [];
  private pending: Buffer[] = [];
  acks = 0;
  private waiter: (() => void) | null = null;
  readonly socket = new Duplex({
    read() {},
    write: (chunk: Buffer, _enc, cb) => {
      this.bytes = Buffer.concat([this.bytes, chunk]);
      this.parse();
      cb();
    },
  });

  private parse(): void {
    while (this.off + 9 <= this.bytes.length) {
      const len = this.bytes.readUIntBE(this.off, 3);
      if (this.off + 9 + len > this.bytes.length) break;
      const type = this.bytes[this.off + 3], flags = this.bytes[this.off + 4];
      const payload = this.bytes.subarray(this.off + 9, this.off + 9 + len);
      this.off += 9 + len;
      if (type === SETTINGS && (flags & 1) !== 0) this.acks++;
      if (type === HEADERS || type === CONTINUATION) {
        this.pending.push(payload); // nghttp2 sets neither PADDED nor PRIORITY on its HEADERS
        if (flags & 4) {
          this.blocks.push(Buffer.concat(this.pending));
          this.pending = [];
        }
      }
    }
    this.waiter?.();
  }

  /** Resolves once `test` holds (checked after each write of the client). */
  async until(test: () => boolean): Promise<void> {
    while (!test()) await new Promise<void>((resolve) => { this.waiter = resolve; });
    this.waiter = null;
  }
}

const POOL_NAMES = ['x-trace', 'x-tenant', 'accept', 'x-session', 'x-feature', 'x-region'];

// Three connections (seeds): where the oldest entry sits when the table first outgrows its slots differs.
for (const seed of [7, 8, 9]) t.test(`connection ${seed}: blocks written by Node http2 decode to the fields it was given`, async (t) => {
  const wire = new Wire();
  const client = http2.connect('http://svc.test', { createConnection: () => wire.socket });
  client.on('error', () => {});
  const rand = makePrng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  // values drawn from small pools (so fields repeat and refer to entries of many ages) or new (so entries are evicted)
  const pools = POOL_NAMES.map(() => Array.from({ length: 12 }, (_, i) => `v${i}-${'z'.repeat(Math.floor(rand() * 40))}`));
  const sent: string[][][] = [];
  const phases: Array<{ sizes: number[]; requests: number }> = [
    { sizes: [256], requests: 150 }, // about 4 entries held: the slots turn over many times
    { sizes: [4096], requests: 150 }, // the table grows while the older entries sit anywhere in the slots
    { sizes: [100], requests: 60 }, // down: most entries evicted at once
    { sizes: [0, 1024], requests: 100 }, // two updates before the next block: 0 empties the table, then 1024
  ];
  let blocksBefore = 0;
  const firstBlockOfPhase: number[] = [];
  for (const phase of phases) {
    const acks = wire.acks;
    for (const size of phase.sizes) wire.socket.push(settings([[SETTINGS_HEADER_TABLE_SIZE, size]]));
    await wire.until(() => wire.acks >= acks + phase.sizes.length);
    firstBlockOfPhase.push(blocksBefore);
    for (let i = 0; i < phase.requests; i++) {
      const fields: Record<string, string> = {
        ':method': pick(['GET', 'POST', 'DELETE']), ':path': `/items/${Math.floor(rand() * 30)}`, ':authority': 'svc.test', ':scheme': 'http',
      };
      for (const [k, name] of POOL_NAMES.entries()) {
        if (rand() < 0.7) fields[name] = rand() < 0.8 ? pick(pools[k]) : `fresh-${sent.length}-${k}-${'q'.repeat(Math.floor(rand() * 60))}`;
      }
      const req = client.request(fields, { endStream: true });
      req.on('error', () => {});
      sent.push(Object.entries(fields).sort());
    }
    blocksBefore += phase.requests;
    await wire.until(() => wire.blocks.length >= blocksBefore);
  }
  client.destroy();

  t.equal(wire.blocks.length, sent.length, 'one header block per request');
  const d = new HpackDecoder(65536);
  let mismatches = 0;
  let maxEntries = 0;
  for (const [i, block] of wire.blocks.entries()) {
    const r = d.decode(block, 65536);
    const got: string[][] = [];
    for (let j = 0; j + 1 < r.fields.length; j += 2) got.push([r.fields[j], r.fields[j + 1]]);
    got.sort();
    if (r.error !== null || r.unknownIndex !== 0 || JSON.stringify(got) !== JSON.stringify(sent[i])) {
      if (mismatches++ < 3) t.same({ error: r.error, unknownIndex: r.unknownIndex, fields: got }, { error: null, unknownIndex: 0, fields: sent[i] }, `block ${i}`);
    }
    maxEntries = Math.max(maxEntries, d.tableEntries);
    const phase = firstBlockOfPhase.filter((first) => first <= i).length - 1;
    const limit = phases[phase].sizes[phases[phase].sizes.length - 1];
    if (d.tableBytes > limit) t.fail(`block ${i}: table of ${d.tableBytes} bytes above the size ${limit} in force`);
  }
  t.equal(mismatches, 0, 'every block decodes to the fields sent');
  t.ok(maxEntries > 16, `the table held more than 16 entries at once (${maxEntries})`);
  const updates = firstBlockOfPhase.map((i) => wire.blocks[i][0] >> 5 === 1);
  t.same(updates, phases.map(() => true), 'the first block after each SETTINGS starts with a size update');
  t.equal(wire.blocks[firstBlockOfPhase[3]].subarray(0, 4).toString('hex'), '203fe107', 'updates to 0 then 1024 in one block');
});
