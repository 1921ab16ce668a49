// The HPACK dynamic table at its size limit: RFC 7541 Appendix C.5 / C.6 (responses with a 256-byte table,
// where entries are evicted), then size updates and the entry larger than the table (§4.3, §4.4). Expected
// fields and table states are those the RFC lists; what the table holds is read back through indexed fields
// (62 = the newest entry), as a later block would refer to them.
import t from 'tap';
import { HpackDecoder } from '../../src/http2/hpack.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Pairs of a flat field list. */
function pairs(flat: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

/** The dynamic table, newest first, read through indexed fields 62.. (unknown indices end it). */
function table(d: HpackDecoder): string[][] {
  const n = d.tableEntries;
  const block = Buffer.from(Array.from({ length: n + 1 }, (_, i) => 0x80 | (62 + i))); // n < 66: one-byte indices
  const r = d.decode(block, 65536);
  if (r.unknownIndex !== 1) throw new Error(`expected exactly one unknown index past the table, got ${r.unknownIndex}`);
  return pairs(r.fields);
}

const DATE1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
const DATE2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
const LOCATION = 'https://www.example.com';
const COOKIE = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';

const FIRST = [[':status', '302'], ['cache-control', 'private'], ['date', DATE1], ['location', LOCATION]];
const SECOND = [[':status', '307'], ['cache-control', 'private'], ['date', DATE1], ['location', LOCATION]];
const THIRD = [[':status', '200'], ['cache-control', 'private'], ['date', DATE2], ['location', LOCATION],
  ['content-encoding', 'gzip'], ['set-cookie', COOKIE]];
const TABLE1 = [['location', LOCATION], ['date', DATE1], ['cache-control', 'private'], [':status', '302']];
const TABLE2 = [[':status', '307'], ['location', LOCATION], ['date', DATE1], ['cache-control', 'private']];
const TABLE3 = [['set-cookie', COOKIE], ['content-encoding', 'gzip'], ['date', DATE2]];

const EXAMPLES = {
  'C.5 (no Huffman coding)': [
    `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
     2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d`,
    '4803 3330 37c1 c0bf',
    `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
     54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
     5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31`,
  ],
  'C.6 (Huffman coding)': [
    `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
     2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
    '4883 640e ffc1 c0bf',
    `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
     77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
     9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
  ],
};

for (const [name, blocks] of Object.entries(EXAMPLES)) {
  t.test(`${name}: responses on one connection, table of 256 bytes, evictions`, async (t) => {
    const d = new HpackDecoder(256); // SETTINGS_HEADER_TABLE_SIZE 256: the decoder's limit is 256
    const expected = [[FIRST, TABLE1, 222], [SECOND, TABLE2, 222], [THIRD, TABLE3, 215]] as const;
    for (const [i, [fields, tbl, bytes]] of expected.entries()) {
      const r = d.decode(hex(blocks[i]), 65536);
      t.equal(r.error, null, `block ${i + 1}: no error`);
      t.equal(r.unknownIndex, 0, `block ${i + 1}: every index known`);
      t.same(pairs(r.fields), fields, `block ${i + 1}: the header list of C.x.${i + 1}`);
      t.equal(d.tableBytes, bytes, `block ${i + 1}: table size ${bytes}`);
      t.same(table(d), tbl, `block ${i + 1}: the dynamic table of C.x.${i + 1}, newest first`);
    }
  });
}

t.test('size updates evict the oldest entries first; 0 empties the table; the table refills after', async (t) => {
  const d = new HpackDecoder(256);
  for (const b of EXAMPLES['C.5 (no Huffman coding)']) d.decode(hex(b), 65536);
  t.same(table(d), TABLE3);
  // update to 150 (5-bit prefix: 31 + 119): date (65 bytes, the oldest) goes, 98 + 52 = 150 stay
  let r = d.decode(hex('3f77'), 65536);
  t.equal(r.error, null);
  t.same(r.fields, [], 'a size update alone yields no field');
  t.equal(d.tableBytes, 150);
  t.same(table(d), TABLE3.slice(0, 2), 'the oldest entry evicted');
  // update to 149: content-encoding (52 bytes) is now the oldest and goes, set-cookie (98) stays
  d.decode(hex('3f76'), 65536);
  t.same(table(d), [['set-cookie', COOKIE]], 'eviction follows age, not size');
  t.equal(d.tableBytes, 98);
  // update to 0, then back to 256 (31 + 225) in one block (RFC 7541 §4.2): the table is empty, then refills
  r = d.decode(hex('20 3fe101 4803 3330 32'), 65536);
  t.same(pairs(r.fields), [[':status', '302']]);
  t.same(table(d), [[':status', '302']], 'only the entry inserted after the updates');
  t.equal(d.tableBytes, 42);
  t.equal(d.clamped, 0, 'nothing above the cap');
});

t.test('an entry larger than the table empties it and is not inserted (§4.4)', async (t) => {
  const d = new HpackDecoder(256);
  for (const b of EXAMPLES['C.5 (no Huffman coding)']) d.decode(hex(b), 65536);
  const value = 'v'.repeat(300); // 5 + 300 + 32 > 256
  // literal with incremental indexing, new name (5 bytes), value length 300 = 127 + 45 + 1 * 128
  const big = Buffer.concat([hex('40 05'), Buffer.from('x-big'), hex('7f ad 01'), Buffer.from(value)]);
  const r = d.decode(big, 65536);
  t.equal(r.error, null);
  t.same(pairs(r.fields), [['x-big', value]], 'the field itself is decoded');
  t.equal(d.tableEntries, 0, 'the table is empty');
  t.equal(d.tableBytes, 0);
  const after = d.decode(hex('be'), 65536);
  t.equal(after.unknownIndex, 1, 'index 62 refers to nothing');
});
