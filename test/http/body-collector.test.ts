/**
 * BodyCollector memory contract (src/http/body.ts): bytes kept in blocks of their own (no pool slab),
 * the budget counts what is allocated and never exceeds its maximum, finish() leaves exactly the
 * captured size reserved, and a decode error gives the reservation back.
 */
import t from 'tap';
import zlib from 'node:zlib';
import {
  BODY_DECODE_PARTIAL, BODY_ENCODING_NOT_APPLIED,
  BodyCollector, BODY_DECODE_ERROR, BODY_TRUNCATED_BY_BUDGET, BODY_TRUNCATED_BY_LENGTH, PREALLOCATE_MAX_BYTES,
} from '../../src/http/body.js';
import { ByteBudget } from '../../src/http/byte-budget.js';
import { CODING_GZIP } from '../../src/http/decoder.js';

const LIMITS = { maxHttpLength: 10_000_000, maxDecodedBytes: 64 * 1024 * 1024 };

/** Deterministic bytes, so that a misplaced copy shows. */
function pattern(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8)) & 255;
  return b;
}

/** Feeds `data` in pieces of `size`, each a view that is overwritten after the call. */
function feed(c: BodyCollector, data: Buffer, size: number, after?: () => void): void {
  for (let off = 0; off < data.length; off += size) {
    const piece = Buffer.from(data.subarray(off, off + size));
    c.write(piece);
    piece.fill(0xee);
    after?.();
  }
}

t.test('a body in many segments comes out whole, in a buffer of its own, with exactly its size reserved', async (t) => {
  for (const [total, size] of [[1, 1], [700, 1448], [5000, 1448], [400_000, 1448], [100_000, 37], [70_000, 65_535]]) {
    const budget = new ByteBudget(64 * 1024 * 1024);
    const c = new BodyCollector(0, LIMITS, budget);
    const data = pattern(total);
    feed(c, data, size, () => {
      if (budget.held !== c.heldBytes) t.fail('the budget holds what the body reserved');
      if (c.heldBytes - Math.min(total, 1e9) > 64 * 1024 + size) t.fail('unused reservation stays small');
    });
    const r = c.finish();
    t.ok(r.bytes?.equals(data), `${total} B in pieces of ${size}: bytes intact`);
    t.equal(r.length, total);
    t.equal(r.truncated, false);
    t.equal(r.bytes!.buffer.byteLength, total, 'the kept bytes own their ArrayBuffer (no pool slab)');
    t.equal(c.heldBytes, total, 'after finish the reservation is the exact size');
    t.equal(budget.held, total);
  }
});

t.test('a small body kept among short-lived allocations does not pin a pool slab', async (t) => {
  const c = new BodyCollector(0, LIMITS, new ByteBudget(1 << 20));
  c.write(Buffer.from('{"ok":true}'));
  const bytes = c.finish().bytes!;
  t.equal(bytes.toString(), '{"ok":true}');
  t.equal(bytes.byteOffset, 0);
  t.equal(bytes.buffer.byteLength, bytes.length);
});

t.test('the budget bounds the allocated bytes across bodies, and a capped body is flagged', async (t) => {
  const budget = new ByteBudget(10_000);
  const a = new BodyCollector(0, LIMITS, budget);
  const b = new BodyCollector(0, LIMITS, budget);
  const data = pattern(20_000);
  for (let off = 0; off < data.length; off += 1448) {
    a.write(data.subarray(off, off + 1448));
    b.write(data.subarray(off, off + 1448));
    if (budget.held > budget.max) t.fail(`budget over its maximum: ${budget.held}`);
  }
  t.equal(budget.held, a.heldBytes + b.heldBytes);
  const ra = a.finish();
  const rb = b.finish();
  t.ok((a.conditions & BODY_TRUNCATED_BY_BUDGET) !== 0 && (b.conditions & BODY_TRUNCATED_BY_BUDGET) !== 0);
  t.equal(ra.length, 20_000, 'the length counts every byte');
  t.equal(ra.truncated, true);
  const captured = (ra.bytes?.length ?? 0) + (rb.bytes?.length ?? 0);
  t.ok(captured > 0 && captured <= 10_000, `captured ${captured} within the budget`);
  t.ok(ra.bytes!.equals(data.subarray(0, ra.bytes!.length)), 'what was captured is the start of the body');
  t.equal(budget.held, captured, 'after finish only the captured bytes stay reserved');
});

t.test('maxHttpLength: no block is allocated past the per-message cap', async (t) => {
  const budget = new ByteBudget(1 << 20);
  const c = new BodyCollector(0, { ...LIMITS, maxHttpLength: 3000 }, budget);
  feed(c, pattern(50_000), 1000);
  t.equal(budget.held, 3000);
  const r = c.finish();
  t.equal(r.bytes?.length, 3000);
  t.ok((c.conditions & BODY_TRUNCATED_BY_LENGTH) !== 0);
  t.equal(r.length, 50_000);
});

t.test('gzip: decoded bytes collected from the engine output; a decode error keeps the decoded prefix, and only its reservation', async (t) => {
  const plain = Buffer.from(JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ id: i, v: `value-${i}` }))));
  const budget = new ByteBudget(64 * 1024 * 1024);
  const c = new BodyCollector(CODING_GZIP, LIMITS, budget);
  feed(c, zlib.gzipSync(plain), 1448);
  const r = c.finish();
  t.ok(r.bytes?.equals(plain));
  t.equal(budget.held, plain.length);

  const budget2 = new ByteBudget(1 << 20);
  const bad = new BodyCollector(CODING_GZIP, LIMITS, budget2);
  const gz = zlib.gzipSync(plain);
  bad.write(gz.subarray(0, 2000)); // decodes some bytes
  const held = budget2.held;
  const junk = Buffer.alloc(3000, 0x41);
  bad.write(junk); // corrupt continuation
  bad.write(junk);
  const r2 = bad.finish();
  t.ok(held > 0, 'bytes were held before the error');
  t.ok((bad.conditions & BODY_DECODE_ERROR) !== 0 && (bad.conditions & BODY_DECODE_PARTIAL) !== 0);
  t.ok(r2.bytes !== null && r2.bytes.length > 0 && plain.subarray(0, r2.bytes.length).equals(r2.bytes), 'the decoded prefix');
  t.equal(r2.length, r2.bytes?.length);
  t.equal(r2.truncated, true);
  t.equal(r2.encoding, 'gzip');
  t.equal(budget2.held, r2.bytes?.length, 'only the prefix stays reserved');
  t.equal(bad.heldBytes, r2.bytes?.length);
});

t.test('a body not in its announced coding: the raw pieces kept until then are the body; their copies are released', async (t) => {
  const budget = new ByteBudget(1 << 20);
  const c = new BodyCollector(CODING_GZIP, LIMITS, budget);
  c.write(Buffer.from([0x1f])); // could be gzip: nothing decoded, a copy kept
  t.ok(budget.held > 0, 'the raw copy is charged to the budget');
  c.write(Buffer.from('plain text'));
  const r = c.finish();
  t.equal(r.bytes?.toString('latin1'), '\x1fplain text');
  t.equal(r.encoding, null);
  t.ok((c.conditions & BODY_ENCODING_NOT_APPLIED) !== 0);
  t.equal(budget.held, r.bytes?.length, 'only the reported bytes stay reserved');

  const ok = new BodyCollector(CODING_GZIP, LIMITS, new ByteBudget(1 << 20));
  const gz = zlib.gzipSync(Buffer.from('hello'));
  ok.write(gz.subarray(0, 5));
  ok.write(gz.subarray(5));
  const r2 = ok.finish();
  t.equal(r2.bytes?.toString(), 'hello');
  t.equal(ok.heldBytes, 5, 'the raw copies were dropped at the first decoded byte');
});

t.test('an announced size up to the hint cap is reserved at the first piece, filled in place, never joined', async (t) => {
  for (const [total, size] of [[5000, 1448], [PREALLOCATE_MAX_BYTES, 1448], [12_000, 100]]) {
    const budget = new ByteBudget(64 * 1024 * 1024);
    const c = new BodyCollector(0, LIMITS, budget, total);
    const data = pattern(total);
    let reservedAfterFirst = -1;
    feed(c, data, size, () => { if (reservedAfterFirst < 0) reservedAfterFirst = c.heldBytes; });
    t.equal(reservedAfterFirst, total, `${total}: the whole announced size is reserved at once`);
    const body = c.finish();
    t.same(body.bytes, data, `${total}: the bytes come out whole`);
    t.equal(body.bytes!.buffer.byteLength, total, `${total}: one exact allocation`);
    t.equal(budget.held, total);
  }
});

t.test('a larger announcement, or an encoded body, does not reserve its size up front', async (t) => {
  const budget = new ByteBudget(64 * 1024 * 1024);
  const big = new BodyCollector(0, LIMITS, budget, 10_000_000);
  big.write(pattern(1448));
  t.ok(big.heldBytes <= 1448, `a 10 MB announcement reserves only what arrived (${big.heldBytes})`);
  const gz = zlib.gzipSync(pattern(3000));
  const enc = new BodyCollector(CODING_GZIP, LIMITS, budget, gz.length);
  enc.write(gz);
  const body = enc.finish();
  t.equal(body.bytes!.length, 3000, 'the decoded body is captured whole');
});

t.test('a body that ends short of its announcement gives the unused tail back at finish', async (t) => {
  const budget = new ByteBudget(64 * 1024 * 1024);
  const c = new BodyCollector(0, LIMITS, budget, 10_000);
  const data = pattern(2500);
  feed(c, data, 1000);
  t.equal(c.heldBytes, 10_000, 'reserved as announced while in flight');
  const body = c.finish();
  t.same(body.bytes, data);
  t.equal(c.heldBytes, 2500, 'only the captured size stays reserved');
  t.equal(budget.held, 2500);
});

t.test('an announcement larger than the free budget reserves only what is free', async (t) => {
  const budget = new ByteBudget(20_000);
  const c = new BodyCollector(0, LIMITS, budget, 50_000);
  feed(c, pattern(50_000), 1448);
  t.ok(budget.held <= 20_000, 'the budget is never exceeded');
  const body = c.finish();
  t.equal(body.length, 50_000, 'the length still counts every byte');
  t.equal(body.truncated, true);
  t.ok((c.conditions & BODY_TRUNCATED_BY_BUDGET) !== 0);
});

t.test('raw copies stopped by the budget: a failed decode reports the kept prefix, truncated, without a hole', async (t) => {
  const budget = new ByteBudget(104);
  budget.held = 100; // another body holds most of the budget
  const c = new BodyCollector(CODING_GZIP, LIMITS, budget);
  const header = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
  feed(c, header, 1); // a valid gzip header: nothing decoded, raw copies kept while the budget allows (4 bytes)
  budget.held -= 100; // the other body is emitted: room again
  c.write(Buffer.from([0xff, 0x01, 0x02])); // an invalid deflate block: decoding fails
  const r = c.finish();
  t.ok((c.conditions & BODY_ENCODING_NOT_APPLIED) !== 0, 'reported as sent');
  t.strictSame([...(r.bytes ?? [])], [0x1f, 0x8b, 0x08, 0x00], 'the prefix kept, nothing after the hole');
  t.ok((c.conditions & BODY_TRUNCATED_BY_BUDGET) !== 0, 'truncated by the budget');
});
