/** Address formatting: dotted IPv4 and RFC 5952 IPv6, checked against examples and Node's URL parser. */
import t from 'tap';
import { formatAddress, formatIPv4, formatIPv6 } from '../../src/decode/address.js';
import { makePrng } from '../util/prng.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[^0-9a-f]/gi, ''), 'hex');

t.test('IPv4 dotted quad at an offset', async (t) => {
  const buf = Buffer.from([9, 9, 192, 168, 0, 255, 9]);
  t.equal(formatIPv4(buf, 2), '192.168.0.255');
  t.equal(formatAddress(buf, 2, 4), '192.168.0.255');
  t.equal(formatIPv4(Buffer.from([0, 0, 0, 0]), 0), '0.0.0.0');
});

t.test('IPv6 examples from RFC 5952', async (t) => {
  const cases: [string, string][] = [
    ['2001 0db8 0000 0000 0000 0000 0000 0001', '2001:db8::1'], // 4.2.1 longest run, 4.1 no leading zeros
    ['2001 0db8 0000 0001 0001 0001 0001 0001', '2001:db8:0:1:1:1:1:1'], // 4.2.2 a single 0 group stays
    ['2001 0db8 0000 0000 0001 0000 0000 0001', '2001:db8::1:0:0:1'], // 4.2.3 tie: the first run
    ['2001 0db8 0000 0001 0000 0000 0000 0001', '2001:db8:0:1::1'], // 4.2.3 the longest run wins
    ['2001 0DB8 AAAA BBBB CCCC DDDD EEEE 0AAA', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaa'], // 4.3 lower case
    ['0000 0000 0000 0000 0000 0000 0000 0000', '::'],
    ['0000 0000 0000 0000 0000 0000 0000 0001', '::1'],
    ['fe80 0000 0000 0000 0000 0000 0000 0000', 'fe80::'],
    ['0000 0000 0000 0000 0000 ffff c000 0280', '::ffff:192.0.2.128'], // section 5: mapped IPv4
    ['0001 0000 0001 0000 0001 0000 0001 0000', '1:0:1:0:1:0:1:0'],
  ];
  for (const [bytes, text] of cases) {
    const buf = Buffer.concat([Buffer.from([7, 7, 7]), hex(bytes)]);
    t.equal(formatIPv6(buf, 3), text, text);
    t.equal(formatAddress(buf, 3, 16), text, text);
  }
});

t.test('IPv6 agrees with the WHATWG URL serializer on random addresses', async (t) => {
  const prng = makePrng(12345);
  const rnd = (): number => Math.floor(prng() * 0x10000); // 16 random bits
  let checked = 0;
  for (let i = 0; i < 3000; i++) {
    const b = Buffer.alloc(16);
    // mostly zero groups so that runs of every length and position occur
    for (let g = 0; g < 8; g++) if (rnd() % 3 === 0) b.writeUInt16BE(rnd() % 4 === 0 ? rnd() & 0xf : rnd(), g * 2);
    const isMapped = b.subarray(0, 10).every((x) => x === 0) && b.readUInt16BE(10) === 0xffff;
    if (isMapped) continue; // URL writes these in hex; RFC 5952 section 5 asks for dotted
    const expected = new URL(`http://[${b.toString('hex').replace(/(.{4})(?!$)/g, '$1:')}]/`).hostname.slice(1, -1);
    if (formatIPv6(b, 0) !== expected) t.equal(formatIPv6(b, 0), expected, b.toString('hex'));
    checked++;
  }
  t.ok(checked > 2900, `${checked} addresses agree`);
});

t.test('out-of-range requests give an empty string, odd lengths give hex', async (t) => {
  const buf = Buffer.alloc(10, 0xab);
  t.equal(formatIPv4(buf, 7), '');
  t.equal(formatIPv6(buf, 0), '');
  t.equal(formatAddress(buf, -1, 4), '');
  t.equal(formatAddress(buf, 1.5, 4), '');
  t.equal(formatAddress(buf, 8, 2), 'abab');
  t.equal(formatAddress(buf, 8, 6), '');
});
