// json-text.ts must give exactly JSON.stringify's text: random strings over the characters that matter.
import t from 'tap';
import { jsonHeaderList, jsonString, jsonStringOrNull } from '../../src/export/json-text.js';
import { makePrng } from '../util/prng.js';

const UNITS = [0x22, 0x5c, 0x00, 0x08, 0x0a, 0x1f, 0x20, 0x41, 0x7f, 0xe9, 0x2028, 0xd83d, 0xde00, 0xd800, 0xdfff, 0xfffd];

t.test('random strings and header lists match JSON.stringify', async (t) => {
  const rnd = makePrng(5);
  const randomString = () => {
    let s = '';
    const n = Math.floor(rnd() * 12);
    for (let i = 0; i < n; i++) s += String.fromCharCode(rnd() < 0.6 ? 0x61 + Math.floor(rnd() * 26) : UNITS[Math.floor(rnd() * UNITS.length)]!);
    return s;
  };
  let bad = 0;
  for (let i = 0; i < 20_000; i++) {
    const s = randomString();
    if (jsonString(s) !== JSON.stringify(s)) bad++;
    const list: Array<[string, string]> = [];
    for (let k = Math.floor(rnd() * 4); k > 0; k--) list.push([randomString(), randomString()]);
    if (jsonHeaderList(list) !== JSON.stringify(list)) bad++;
  }
  t.equal(bad, 0);
  t.equal(jsonStringOrNull(null), 'null');
  t.equal(jsonStringOrNull('x"'), JSON.stringify('x"'));
});
