/**
 * Random packets and random mutations of recorded fixture packets (HTTP/1 and HTTP/2: fixtures/captures,
 * fixtures/captures-h2) through decode -> reassembly -> http.
 * Property: nothing throws out of a stage, and the counters stay consistent (InProcessPipeline.invariants):
 * decode outcomes add up, no internal/consumer/sink error, emitted == http.exchanges <= http.requests,
 * nothing held after closeAll, body lengths sane.
 */
import t from 'tap';
import fc from 'fast-check';
import { InProcessPipeline, checkProperty, FailureLog, loadFixtures, loadH2Fixtures, SEED } from './harness.js';

const LINK_TYPES = [0, 1, 12, 101, 108, 113, 228, 229, 239, 276, 9999];

t.test(`random frames of random link types (seed ${SEED})`, async (t) => {
  const frameArb = fc.record({
    link: fc.constantFrom(...LINK_TYPES),
    data: fc.uint8Array({ minLength: 0, maxLength: 200 }),
    dt: fc.integer({ min: 0, max: 3_000_000_000 }),
  });
  const log = new FailureLog();
  const failure = checkProperty(fc.property(fc.array(frameArb, { minLength: 1, maxLength: 60 }), (frames) => {
    const p = new InProcessPipeline();
    let ns = 1_700_000_000n * 1_000_000_000n;
    for (const f of frames) {
      ns += BigInt(f.dt);
      p.feed(f.link, Buffer.from(f.data), Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n));
      p.tick();
    }
    p.finish();
    const bad = p.invariants();
    return bad.length === 0 || log.fail(bad.join('; '));
  }), 1000, log);
  t.equal(failure, '', 'invariants hold for random frames');
});

/** One mutation of a frame: flip a bit, overwrite a byte (mostly in the headers), cut or extend. */
const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('header_byte' as const), pos: fc.integer({ min: 0, max: 66 }), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('byte' as const), pos: fc.nat(), value: fc.constantFrom(0, 0xff, 0x0d, 0x0a, 0x20, 0x30, 0x7f) }),
  fc.record({ kind: fc.constant('cut' as const), len: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ maxLength: 64 }) }),
);
type Mutation = typeof mutationArb extends fc.Arbitrary<infer M> ? M : never;

function mutate(data: Buffer, muts: Mutation[]): Buffer {
  let b = Buffer.from(data);
  for (const m of muts) {
    if (b.length === 0) break;
    switch (m.kind) {
      case 'flip': b[m.pos % b.length] ^= 1 << m.bit; break;
      case 'header_byte': b[m.pos % b.length] = m.value; break;
      case 'byte': b[m.pos % b.length] = m.value; break;
      case 'cut': b = b.subarray(0, m.len % (b.length + 1)); break;
      case 'extend': b = Buffer.concat([b, Buffer.from(m.extra)]); break;
    }
  }
  return b;
}

t.test(`mutated fixture packets (seed ${SEED})`, async (t) => {
  const fixtures = [...loadFixtures(), ...loadH2Fixtures()];
  t.ok(fixtures.length >= 10, 'fixtures loaded (HTTP/1 and HTTP/2)');
  const caseArb = fc.record({
    fixture: fc.nat({ max: fixtures.length - 1 }),
    start: fc.nat(),
    count: fc.integer({ min: 20, max: 400 }),
    // per-frame decisions: index -> mutations; frames without an entry are passed unchanged
    edits: fc.array(fc.record({ at: fc.nat(), muts: fc.array(mutationArb, { minLength: 1, maxLength: 4 }) }), { maxLength: 40 }),
    drops: fc.array(fc.nat(), { maxLength: 10 }),
    dups: fc.array(fc.nat(), { maxLength: 10 }),
    timeJumps: fc.array(fc.record({ at: fc.nat(), sec: fc.integer({ min: -5, max: 200 }) }), { maxLength: 3 }),
  });
  const log = new FailureLog();
  let totalFrames = 0;
  const failure = checkProperty(fc.property(caseArb, (c) => {
    const fx = fixtures[c.fixture];
    const start = c.start % fx.frames.length;
    const slice = fx.frames.slice(start, start + c.count);
    const edits = new Map<number, Mutation[]>();
    for (const e of c.edits) edits.set(e.at % slice.length, e.muts);
    const drops = new Set(c.drops.map((d) => d % slice.length));
    const dups = new Set(c.dups.map((d) => d % slice.length));
    const jumps = new Map(c.timeJumps.map((j) => [j.at % slice.length, j.sec]));
    const p = new InProcessPipeline();
    let shift = 0;
    slice.forEach((f, i) => {
      shift += jumps.get(i) ?? 0;
      if (drops.has(i)) return;
      const m = edits.get(i);
      const data = m ? mutate(f.data, m) : f.data;
      const sec = Math.max(0, f.tsSec + shift);
      p.feed(fx.linkType, data, sec, f.tsNsec);
      if (dups.has(i)) p.feed(fx.linkType, data, sec, f.tsNsec);
      if (i % 16 === 0) p.tick();
      totalFrames++;
    });
    p.finish();
    const bad = p.invariants();
    return bad.length === 0 || log.fail(`${fx.name}[${start}..+${c.count}]: ${bad.join('; ')}`);
  }), 600, log);
  t.equal(failure, '', 'invariants hold for mutated fixture packets');
  t.ok(totalFrames > 1000, `${totalFrames} frames fed`);
});

t.test('every fixture, unmutated, through the in-process pipeline: all expected exchanges, none extra', async (t) => {
  for (const fx of [...loadFixtures(), ...loadH2Fixtures()]) {
    const p = new InProcessPipeline();
    for (const f of fx.frames) p.feed(fx.linkType, f.data, f.tsSec, f.tsNsec);
    p.finish();
    t.same(p.invariants(), [], `${fx.name}: invariants`);
    t.equal(p.exchanges.length, fx.expected.length, `${fx.name}: ${fx.expected.length} exchanges`);
  }
});
