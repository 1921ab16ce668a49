import t from 'tap';
import { exchangeLine, toExchangeRecord } from '../../src/export/exchange-record.js';
import type { HttpExchange } from '../../src/http/types.js';
import { makeExchange } from './fixtures/exchanges.js';
import { makePrng } from '../util/prng.js';

/** The contract: the fast line is the record object's JSON text, byte for byte. */
const reference = (ex: HttpExchange): Buffer => Buffer.from(JSON.stringify(toExchangeRecord(ex)) + '\n', 'utf8');

t.test('same bytes as JSON.stringify(toExchangeRecord(ex)) for the usual shapes', async (t) => {
  const cases: Array<[string, HttpExchange]> = [
    ['default', makeExchange()],
    ['request body, swapped roles, flags', makeExchange({ reqBody: 'abc', rolesSwapped: true, flags: ['gap', 'mid_stream'] as HttpExchange['flags'] })],
    ['no response', makeExchange({ status: null, reqBody: '{"a":1}' })],
    ['no host, binary body', makeExchange({ host: null, resBody: Buffer.from([0, 255, 34, 92, 10, 13]) })],
    ['escapes and non-ASCII in text fields', makeExchange({
      target: '/a"b\\c?q=é\u0001\u2028', reqHeaders: [['X-Quote', 'say "hi"\t\\'], ['X-Uni', 'ünï \ud83d\ude00 \ud800']],
      resHeaders: [['Content-Type', 'text/plain; charset="x"']],
    })],
  ];
  for (const [name, ex] of cases) {
    t.same(exchangeLine(ex), reference(ex), name);
    t.doesNotThrow(() => JSON.parse(exchangeLine(ex).toString('utf8')), `${name}: valid JSON`);
  }
  const ex = makeExchange();
  ex.response!.informational = [100, 103];
  ex.response!.body = { length: 99, truncated: true, bytes: null, encoding: 'gzip' };
  t.same(exchangeLine(ex), reference(ex), 'informational responses, withheld body with an encoding');
});

t.test('randomised exchanges: always the same bytes', async (t) => {
  const rnd = makePrng(66);
  const text = (): string => {
    let s = '';
    const n = Math.floor(rnd() * 12);
    for (let i = 0; i < n; i++) s += String.fromCharCode(rnd() < 0.8 ? 0x20 + Math.floor(rnd() * 95) : Math.floor(rnd() * 0xffff));
    return s;
  };
  const bytes = (): Buffer => Buffer.from(Array.from({ length: Math.floor(rnd() * 3000) }, () => Math.floor(rnd() * 256)));
  for (let n = 0; n < 300; n++) {
    const ex = makeExchange({
      id: Math.floor(rnd() * 1e6), target: '/' + text(), host: rnd() < 0.2 ? null : text(),
      reqHeaders: [[text(), text()]], resHeaders: [[text(), text()], [text(), text()]],
      reqBody: rnd() < 0.5 ? undefined : text(), resBody: rnd() < 0.3 ? undefined : bytes(),
      status: rnd() < 0.1 ? null : Math.floor(rnd() * 600), rolesSwapped: rnd() < 0.5,
      startNsec: Math.floor(rnd() * 1e9), endSec: 1_700_000_000 + Math.floor(rnd() * 1e6),
    });
    const a = exchangeLine(ex);
    const b = reference(ex);
    if (!a.equals(b)) {
      t.fail(`case ${n} differs:\n${a.toString()}\n${b.toString()}`);
      return;
    }
  }
  t.pass('300 random exchanges encode identically');
});

t.test('one connection, both role orders and later exchanges: the cached endpoints follow each exchange', async (t) => {
  const first = makeExchange({ id: 1 });
  const conn = first.conn;
  for (const swapped of [false, true, false, true]) {
    const ex = { ...makeExchange({ id: 2, rolesSwapped: swapped }), conn };
    const rec = JSON.parse(exchangeLine(ex).toString('utf8'));
    t.same(rec.client, swapped ? { ip: conn.serverIp, port: conn.serverPort } : { ip: conn.clientIp, port: conn.clientPort });
    t.equal(exchangeLine(ex).toString('utf8'), JSON.stringify(toExchangeRecord(ex)) + '\n');
  }
});
