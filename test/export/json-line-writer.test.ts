// JsonLineWriter must write exactly the UTF-8 bytes of JSON.stringify's text, in grow mode and in sink mode
// (where the slab is handed on whenever it fills and pieces larger than the slab go on their own).
import t from 'tap';
import { JsonLineWriter, type ByteSink } from '../../src/export/json-line-writer.js';
import { makePrng } from '../util/prng.js';

const UNITS = [0x22, 0x5c, 0x00, 0x08, 0x0a, 0x1f, 0x20, 0x41, 0x7f, 0x80, 0xe9, 0xff, 0x2028, 0xd83d, 0xde00, 0xd800, 0xdfff, 0xfffd];

/** A sink that keeps copies of what it is handed, and checks it is handed only written bytes. */
class Collect implements ByteSink {
  parts: Buffer[] = [];
  take(bytes: Buffer, length: number): void {
    this.parts.push(Buffer.from(bytes.subarray(0, length)));
  }
  all(): Buffer {
    return Buffer.concat(this.parts);
  }
}

type Piece = ['pair', boolean, string, string] | ['str', string] | ['strOrNull', string | null] | ['raw', string] | ['num', number] | ['b64', Buffer];

function expected(pieces: Piece[]): Buffer {
  const out: Buffer[] = [];
  for (const p of pieces) {
    if (p[0] === 'pair') out.push(Buffer.from((p[1] ? '' : ',') + JSON.stringify([p[2], p[3]]), 'utf8'));
    else if (p[0] === 'str' || p[0] === 'strOrNull') out.push(Buffer.from(JSON.stringify(p[1]), 'utf8'));
    else if (p[0] === 'raw') out.push(Buffer.from(p[1], 'latin1'));
    else if (p[0] === 'num') out.push(Buffer.from(String(p[1])));
    else out.push(Buffer.from(p[1].toString('base64')));
  }
  return Buffer.concat(out);
}

function write(w: JsonLineWriter, pieces: Piece[]): void {
  for (const p of pieces) {
    if (p[0] === 'pair') w.pair(p[1], p[2], p[3]);
    else if (p[0] === 'str') w.str(p[1]);
    else if (p[0] === 'strOrNull') w.strOrNull(p[1]);
    else if (p[0] === 'raw') w.raw(p[1]);
    else if (p[0] === 'num') w.num(p[1]);
    else w.base64(p[1]);
  }
}

function randomPieces(rnd: () => number, count: number): Piece[] {
  const text = (max: number): string => {
    let s = '';
    const n = Math.floor(rnd() * max);
    for (let i = 0; i < n; i++) s += String.fromCharCode(rnd() < 0.7 ? 0x20 + Math.floor(rnd() * 95) : UNITS[Math.floor(rnd() * UNITS.length)]!);
    return s;
  };
  const pieces: Piece[] = [];
  for (let i = 0; i < count; i++) {
    const k = rnd();
    if (k < 0.1) pieces.push(['pair', rnd() < 0.5, text(12), text(rnd() < 0.05 ? 600 : 30)]);
    else if (k < 0.35) pieces.push(['str', text(rnd() < 0.05 ? 600 : 30)]);
    else if (k < 0.4) pieces.push(['strOrNull', rnd() < 0.5 ? null : text(10)]);
    else if (k < 0.55) pieces.push(['raw', '{"k":'.slice(0, 1 + Math.floor(rnd() * 5))]);
    else if (k < 0.65) pieces.push(['num', Math.floor(rnd() * 1e12)]);
    else {
      const n = rnd() < 0.1 ? Math.floor(rnd() * 5000) : Math.floor(rnd() * 100);
      pieces.push(['b64', Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)))]);
    }
  }
  return pieces;
}

t.test('grow mode: random pieces give the bytes of JSON.stringify, the slab grows as needed', async (t) => {
  const rnd = makePrng(5);
  let bad = 0;
  for (let round = 0; round < 400; round++) {
    const w = new JsonLineWriter(null, 16);
    const pieces = randomPieces(rnd, 40);
    write(w, pieces);
    if (!w.buf.subarray(0, w.pos).equals(expected(pieces))) bad++;
  }
  t.equal(bad, 0, 'every round byte-identical');
});

t.test('sink mode: the sink receives the same bytes, in order, in slab-sized parts at most', async (t) => {
  const rnd = makePrng(9);
  for (const slab of [64, 100, 1024]) {
    let bad = 0;
    let oversized = 0;
    for (let round = 0; round < 200; round++) {
      const sink = new Collect();
      const w = new JsonLineWriter(sink, slab);
      const pieces = randomPieces(rnd, 40);
      write(w, pieces);
      w.flush();
      t.equal(w.pos, 0);
      if (!sink.all().equals(expected(pieces))) bad++;
      // a part larger than the slab is always one string's JSON text, handed on by itself
      const texts = new Set<string>();
      for (const p of pieces) {
        if (p[0] === 'str' || p[0] === 'strOrNull') texts.add(JSON.stringify(p[1]));
        if (p[0] === 'pair') texts.add(JSON.stringify(p[2])).add(JSON.stringify(p[3]));
      }
      for (const p of sink.parts) if (p.length > slab && !texts.has(p.toString('utf8'))) oversized++;
    }
    t.equal(bad, 0, `slab ${slab}: every round byte-identical`);
    t.equal(oversized, 0, `slab ${slab}: no part exceeds the slab unless it is one string by itself`);
  }
});

t.test('a body far larger than the slab goes through it in parts whose base64 joins exactly', async (t) => {
  const body = Buffer.from(Array.from({ length: 100_001 }, (_, i) => (i * 7919) & 255));
  const sink = new Collect();
  const w = new JsonLineWriter(sink, 1000);
  w.raw('"');
  w.base64(body);
  w.raw('"');
  w.flush();
  t.equal(sink.all().toString('latin1'), `"${body.toString('base64')}"`);
  t.ok(sink.parts.every((p) => p.length <= 1000), 'memory stays at the slab');
  t.ok(sink.parts.length > 100, 'handed on as it filled');
});

t.test('small and large bodies: JavaScript and addon encoders agree with Buffer#toString', async (t) => {
  const w = new JsonLineWriter(null, 8);
  for (const n of [0, 1, 2, 3, 4, 47, 48, 49, 50, 51, 1000, 65537]) {
    const b = Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + n) & 255));
    w.pos = 0;
    w.base64(b);
    t.equal(w.buf.toString('latin1', 0, w.pos), b.toString('base64'), `${n} bytes`);
  }
});

t.test('a string longer than the slab is handed on by itself, after what was written before it', async (t) => {
  const sink = new Collect();
  const w = new JsonLineWriter(sink, 32);
  const long = 'é"'.repeat(40);
  w.raw('[');
  w.str(long);
  w.raw(']');
  w.flush();
  t.equal(sink.all().toString('utf8'), `[${JSON.stringify(long)}]`);
  t.same(sink.parts.map((p) => p.length), [1, Buffer.byteLength(JSON.stringify(long)), 1]);
});

t.test('hex() and json(): lower-case hex of a byte range; pre-encoded JSON text as it is', async (t) => {
  const bytes = Buffer.from([0x00, 0x0f, 0xa5, 0xff, 0x10, 0x7e]);
  const sink = new Collect();
  const w = new JsonLineWriter(sink, 8);
  w.hex(bytes, 1, 5);
  const text = Buffer.from(JSON.stringify({ s: 'é"x' }), 'utf8');
  w.json(text);
  w.hex(bytes, 0, 6);
  w.flush();
  t.equal(sink.all().toString('utf8'), '0fa5ff10' + '{"s":"é\\"x"}' + bytes.toString('hex'));
});

t.test('takeCopy(): the caller owns the bytes; a slab grown past the keep size goes back to its first size', async (t) => {
  const w = new JsonLineWriter(null, 16);
  w.str('small');
  const first = w.takeCopy(64);
  t.equal(first.toString(), '"small"');
  t.equal(w.pos, 0, 'starts over empty');
  w.raw('x'.repeat(100));
  t.ok(w.buf.length >= 100, 'grew to hold the piece');
  const big = w.takeCopy(64);
  t.equal(big.toString(), 'x'.repeat(100));
  t.equal(w.buf.length, 16, 'given back for one of the first size');
  w.raw('abc');
  t.equal(w.takeCopy(64).toString(), 'abc');
  t.equal(first.toString(), '"small"', 'an earlier copy is not overwritten');
});
