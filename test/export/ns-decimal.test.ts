// nsDecimal (src/export/exchange-view.ts): nanosecond timestamps as exact decimal text without BigInt.
import t from 'tap';
import { nsDecimal } from '../../src/export/exchange-view.js';
import { makePrng } from '../util/prng.js';

const exact = (sec: number, nsec: number): string => (BigInt(sec) * 1_000_000_000n + BigInt(nsec)).toString();

t.test('edges: zero seconds, zero and largest nanoseconds, 32-bit and beyond-2^53 totals', async (t) => {
  for (const [sec, nsec] of [[0, 0], [0, 7], [0, 999_999_999], [1, 0], [1, 5], [1_700_000_000, 0],
    [1_700_000_000, 123_456_789], [4_294_967_295, 999_999_999], [9_007_199_254, 740_993_000]]) {
    t.equal(nsDecimal(sec!, nsec!), exact(sec!, nsec!), `${sec} s + ${nsec} ns`);
  }
});

t.test('random times agree with BigInt arithmetic', async (t) => {
  const rnd = makePrng(11);
  let bad = 0;
  for (let i = 0; i < 20_000; i++) {
    const sec = Math.floor(rnd() * 2 ** (1 + Math.floor(rnd() * 33)));
    const nsec = Math.floor(rnd() * 10 ** Math.floor(rnd() * 10)) % 1_000_000_000;
    if (nsDecimal(sec, nsec) !== exact(sec, nsec)) bad++;
  }
  t.equal(bad, 0);
});
