/**
 * parseContentLength (src/http/framing.ts): a list of equal decimal values, each trimmed, to one safe
 * integer, else -1. Its in-place reading of plain digit strings must agree with the list reading it
 * short-cuts (`listValue` below states the contract) on every value, including the 15/16-digit boundary of
 * the in-place reading and the safe-integer limit.
 */
import t from 'tap';
import fc from 'fast-check';
import { parseContentLength } from '../../src/http/framing.js';

/** The contract: comma-separated, each part trimmed, digits only, a safe integer, all parts equal. */
function listValue(value: string): number {
  let result = -1;
  for (const part of value.split(',')) {
    const p = part.trim();
    if (!/^[0-9]+$/.test(p)) return -1;
    const n = Number(p);
    if (!Number.isSafeInteger(n)) return -1;
    if (result >= 0 && n !== result) return -1;
    result = n;
  }
  return result;
}

t.test('fixed values', async (t) => {
  const cases: Array<[string, number]> = [
    ['0', 0], ['5', 5], ['007', 7], ['2', 2], ['123456789012345', 123456789012345], ['999999999999999', 999999999999999],
    ['9007199254740991', 9007199254740991], ['9007199254740992', -1], ['0000000000000000012', 12],
    ['', -1], [' 5', 5], ['5 ', 5], ['5, 5', 5], ['5,6', -1], ['5,', -1], ['+5', -1], ['-1', -1], ['1e3', -1],
    ['0x10', -1], ['1.0', -1], ['\uff15', -1], ['5\0', -1], ['\t5\t', 5],
  ];
  for (const [value, want] of cases) t.equal(parseContentLength(value), want, JSON.stringify(value));
});

t.test('random values agree with the list reading', async (t) => {
  const chars = fc.constantFrom(...'0123456789 ,\t-+x'.split(''));
  const values = fc.oneof(
    fc.stringMatching(/^[0-9]{1,20}$/),
    fc.array(chars, { maxLength: 20 }).map((a) => a.join('')),
  );
  const r = fc.check(fc.property(values, (v) => parseContentLength(v) === listValue(v)), { seed: 0xc1, numRuns: 5000 });
  t.notOk(r.failed, r.failed ? `differs on ${JSON.stringify(r.counterexample)}` : 'all agree');
});
