// HPACK decoding against RFC 7541's own examples (Appendix C) and Huffman codes (Appendix B).
import t from 'tap';
import { HpackDecoder } from '../../src/http2/hpack.js';
import { huffmanCode, huffmanDecode } from '../../src/http2/huffman.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

t.test('Huffman codes are those of Appendix B', async (t) => {
  t.same(huffmanCode(0), { code: 0x1ff8, bits: 13 });
  t.same(huffmanCode(10), { code: 0x3ffffffc, bits: 30 });
  t.same(huffmanCode(0x30), { code: 0x0, bits: 5 }); // '0'
  t.same(huffmanCode(0x61), { code: 0x3, bits: 5 }); // 'a'
  t.same(huffmanCode(0x7f), { code: 0xffffffc, bits: 28 });
  t.same(huffmanCode(255), { code: 0x3ffffee, bits: 26 });
  t.same(huffmanCode(256), { code: 0x3fffffff, bits: 30 }); // EOS
  t.equal(huffmanDecode(hex('f1e3c2e5f23a6ba0ab90f4ff'), 0, 12)?.toString(), 'www.example.com');
  t.equal(huffmanDecode(hex('ff'), 0, 1), null, '8 bits of padding is invalid');
  t.equal(huffmanDecode(hex('fffffffc'), 0, 4), null, 'EOS inside a string is invalid');
});

t.test('C.4: requests with Huffman coding, one decoder', async (t) => {
  const d = new HpackDecoder(65536);
  t.same(d.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff'), 65536).fields,
    [':method', 'GET', ':scheme', 'http', ':path', '/', ':authority', 'www.example.com']);
  t.same(d.decode(hex('8286 84be 5886 a8eb 1064 9cbf'), 65536).fields,
    [':method', 'GET', ':scheme', 'http', ':path', '/', ':authority', 'www.example.com', 'cache-control', 'no-cache']);
  const third = d.decode(hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'), 65536);
  t.same(third.fields, [':method', 'GET', ':scheme', 'https', ':path', '/index.html', ':authority', 'www.example.com', 'custom-key', 'custom-value']);
  t.equal(d.tableBytes, 164, 'table size as in C.4.3');
  t.equal(d.tableEntries, 3);
});

t.test('late join: unknown dynamic index is skipped and counted, the rest decoded', async (t) => {
  const d = new HpackDecoder(65536);
  const r = d.decode(hex('8286 84be'), 65536);
  t.same(r.fields, [':method', 'GET', ':scheme', 'http', ':path', '/']);
  t.equal(r.unknownIndex, 1);
  t.equal(r.error, null);
});

t.test('caps: table size update clamped, header list cap', async (t) => {
  const d = new HpackDecoder(1024);
  d.decode(hex('3fe1 ff3f'), 65536); // update to about 1 MiB
  t.equal(d.clamped, 1);
  const big = Buffer.concat([hex('40 05'), Buffer.from('xname'), hex('7f e906'), Buffer.alloc(1000, 0x61)]); // 1 KB value, indexed
  const r = d.decode(Buffer.concat([big, big]), 1500);
  t.equal(r.fields.length, 2, 'only the first field fits the list cap');
  t.ok(r.overList);
  t.ok(d.tableBytes <= 1024, 'table within its cap');
});
