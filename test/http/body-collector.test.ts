/**
 * BodyCollector memory contract (src/http/body.ts): bytes kept in blocks of their own (no pool slab),
 * the budget counts what is allocated and never exceeds its maximum, finish() leaves exactly the
 * captured size reserved, and a decode error gives the reservation back.
 */
import t from 'tap';
import zlib from 'node:zlib';
import {
  BodyBudget, BodyCollector, BODY_DECODE_ERROR, BODY_TRUNCATED_BY_BUDGET, BODY_TRUNCATED_BY_LENGTH,
} from '../../src/http/body.js';
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
    const budget = new BodyBudget(64 * 1024 * 1024);
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
  const c = new BodyCollector(0, LIMITS, new BodyBudget(1 << 20));
  c.write(Buffer.from('{"ok":true}'));
  const bytes = c.finish().bytes!;
  t.equal(bytes.toString(), '{"ok":true}');
  t.equal(bytes.byteOffset, 0);
  t.equal(bytes.buffer.byteLength, bytes.length);
});

t.test('the budget bounds the allocated bytes across bodies, and a capped body is flagged', async (t) => {
  const budget = new BodyBudget(10_000);
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
  const budget = new BodyBudget(1 << 20);
  const c = new BodyCollector(0, { ...LIMITS, maxHttpLength: 3000 }, budget);
  feed(c, pattern(50_000), 1000);
  t.equal(budget.held, 3000);
  const r = c.finish();
  t.equal(r.bytes?.length, 3000);
  t.ok((c.conditions & BODY_TRUNCATED_BY_LENGTH) !== 0);
  t.equal(r.length, 50_000);
});

t.test('gzip: decoded bytes collected from the engine output; a decode error gives the reservation back', async (t) => {
  const plain = Buffer.from(JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ id: i, v: `value-${i}` }))));
  const budget = new BodyBudget(64 * 1024 * 1024);
  const c = new BodyCollector(CODING_GZIP, LIMITS, budget);
  feed(c, zlib.gzipSync(plain), 1448);
  const r = c.finish();
  t.ok(r.bytes?.equals(plain));
  t.equal(budget.held, plain.length);

  const budget2 = new BodyBudget(1 << 20);
  const bad = new BodyCollector(CODING_GZIP, LIMITS, budget2);
  const gz = zlib.gzipSync(plain);
  bad.write(gz.subarray(0, 2000)); // decodes some bytes
  const held = budget2.held;
  const junk = Buffer.alloc(3000, 0x41);
  bad.write(junk); // corrupt continuation
  bad.write(junk);
  const r2 = bad.finish();
  t.ok(held > 0, 'bytes were held before the error');
  t.ok((bad.conditions & BODY_DECODE_ERROR) !== 0);
  t.equal(r2.bytes, null);
  t.equal(budget2.held, 0, 'the reservation is released');
  t.equal(bad.heldBytes, 0);
});
