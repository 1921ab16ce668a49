/**
 * The stage-wide head budget (HttpOptions.maxHeadBytesTotal, src/http/exchange-open.ts holdHead): request
 * heads awaiting their response are charged to it; over it a new request keeps its request line and Host
 * but not its header fields (flag headers_dropped, counter http.head_budget_exhausted); emitted exchanges
 * give their bytes back.
 */
import t from 'tap';
import { C, S, run, type Step } from './harness.js';

const bigHead = (i: number, pad: number) =>
  `GET /r${i} HTTP/1.1\r\nHost: h\r\nX-Pad: ${'p'.repeat(pad)}\r\n\r\n`;

t.test('unanswered heads beyond the budget lose their fields, keep their line and Host', async (t) => {
  const steps: Step[] = [];
  for (let i = 0; i < 20; i++) steps.push({ dir: C, data: Buffer.from(bigHead(i, 1000)) });
  const r = run(steps, { options: { maxHeadBytesTotal: 8 * 1024 }, noClose: true });
  const dropped = r.counters.get('http.head_budget_exhausted');
  t.ok(dropped >= 10 && dropped <= 13, `about 12 of 20 heads over budget (${dropped})`);
  // Over the budget only request lines and Host are charged: 'GET' + '/rNN' + 'h', at most 8 bytes each.
  const held = r.factory.headBytesHeld;
  t.ok(held > 7 * 1024 && held <= 8 * 1024 + dropped * 8, `held ${held}: the budget plus the kept request lines`);
  t.equal(r.exchanges.length, 0, 'nothing answered yet');
});

t.test('fields are kept again once answered exchanges give their bytes back; nothing held after the end', async (t) => {
  const steps: Step[] = [];
  for (let i = 0; i < 20; i++) steps.push({ dir: C, data: Buffer.from(bigHead(i, 1000)) });
  for (let i = 0; i < 20; i++) steps.push({ dir: S, data: Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n') });
  steps.push({ dir: C, data: Buffer.from(bigHead(20, 1000)) });
  steps.push({ dir: S, data: Buffer.from('HTTP/1.1 204 No Content\r\n\r\n') });
  const r = run(steps, { options: { maxHeadBytesTotal: 8 * 1024 } });
  t.equal(r.exchanges.length, 21);
  const flagged = r.exchanges.filter((e) => e.flags.includes('headers_dropped'));
  t.equal(flagged.length, r.counters.get('http.head_budget_exhausted'), 'one flag per counted head');
  for (const e of flagged) {
    t.same(e.request.headers, [], `${e.request.target}: no fields`);
    t.equal(e.request.host, 'h', `${e.request.target}: Host kept`);
    t.match(e.request.target, /^\/r\d+$/, 'request line kept');
  }
  const last = r.exchanges[20]!;
  t.notOk(last.flags.includes('headers_dropped'), 'after the answers, a new head keeps its fields');
  t.equal(last.request.headers.length, 2);
  t.equal(r.factory.headBytesHeld, 0, 'every byte given back');
});

t.test('the policy still sees every field of a head over the budget', async (t) => {
  const seen: number[] = [];
  const steps: Step[] = [];
  for (let i = 0; i < 12; i++) steps.push({ dir: C, data: Buffer.from(bigHead(i, 2000)) });
  run(steps, { options: { maxHeadBytesTotal: 4 * 1024 }, policy: { admit: (h) => { seen.push(h.headers.length); return true; } } });
  t.same(seen, new Array(12).fill(2));
});
