import t from 'tap';
import { Counters } from '../../src/util/counters.js';
import { TrafficPolicy, POLICY_COUNTERS } from '../../src/policy/traffic-policy.js';
import { TokenBucket } from '../../src/policy/token-bucket.js';
import { CONN, head, at, T0 } from './fixtures/heads.js';
import { makePrng as rng } from '../util/prng.js';

const REQ = head({ target: '/v1/orders/1' });


/** Sends `count` requests evenly spaced over `seconds`; returns how many were admitted. */
function evenly(policy: TrafficPolicy, count: number, seconds: number, startSec = 0): number {
  let admitted = 0;
  for (let i = 0; i < count; i++) {
    const [s, ns] = at(startSec + (i * seconds) / count);
    if (policy.admit(REQ, CONN, s, ns)) admitted++;
  }
  return admitted;
}

t.test('exactly N per minute, evenly spaced, is all admitted', async (t) => {
  const policy = new TrafficPolicy({ rateLimit: 60 }, new Counters());
  t.equal(evenly(policy, 60 * 30, 30 * 60), 60 * 30, '30 minutes at exactly the limit');
  const p2 = new TrafficPolicy({ rateLimit: 1000 }, new Counters());
  t.equal(evenly(p2, 1000 * 10, 600), 10_000);
});

t.test('a burst at one instant: the capacity is admitted, one more is not', async (t) => {
  // burst of 10 s at 600/min = 100 tokens
  const policy = new TrafficPolicy({ rateLimit: 600 }, new Counters());
  const [s, ns] = at(0);
  let admitted = 0;
  for (let i = 0; i < 100; i++) if (policy.admit(REQ, CONN, s, ns)) admitted++;
  t.equal(admitted, 100);
  t.notOk(policy.admit(REQ, CONN, s, ns), 'request 101 at the same instant is limited');
  // one token per 0.1 s comes back
  t.notOk(policy.admit(REQ, CONN, ...at(0.09)));
  t.ok(policy.admit(REQ, CONN, ...at(0.1)));
  t.notOk(policy.admit(REQ, CONN, ...at(0.1)));

  // with a 60 s burst the bucket holds exactly N: N at once pass, N+1 does not
  const full = new TrafficPolicy({ rateLimit: 1000, burstSeconds: 60 }, new Counters());
  let n = 0;
  for (let i = 0; i < 1001; i++) if (full.admit(REQ, CONN, s, ns)) n++;
  t.equal(n, 1000);
});

t.test('N+1 per minute: the excess is limited once the saved-up burst is spent', async (t) => {
  // 60/min, burst 10 s = 10 tokens. 61/min for 60 minutes: 3660 sent, 3600 refilled + 10 saved.
  const counters = new Counters();
  const policy = new TrafficPolicy({ rateLimit: 60 }, counters);
  const admitted = evenly(policy, 61 * 60, 3600);
  t.ok(admitted >= 3609 && admitted <= 3611, `admitted ${admitted} ~ 3610`);
  policy.publish();
  t.equal(counters.get(POLICY_COUNTERS.rateLimitedGlobal), 3660 - admitted);
  t.equal(counters.get(POLICY_COUNTERS.admitted), admitted);
});

t.test('far over the limit: 100x for 10 minutes admits N per minute', async (t) => {
  const policy = new TrafficPolicy({ rateLimit: 60 }, new Counters());
  const admitted = evenly(policy, 6000 * 10, 600);
  t.ok(admitted >= 600 + 10 - 1 && admitted <= 600 + 10 + 1, `admitted ${admitted} ~ 610`);
});

t.test('rate limit 0 means no limit', async (t) => {
  const policy = new TrafficPolicy({ rateLimit: 0 }, new Counters());
  t.ok(policy.unlimited);
  const [s, ns] = at(0);
  let n = 0;
  for (let i = 0; i < 100_000; i++) if (policy.admit(REQ, CONN, s, ns)) n++;
  t.equal(n, 100_000);
});

t.test('long synthetic run: 6 hours at 10x, random arrivals, converges to N/min', async (t) => {
  const N = 1000;
  const policy = new TrafficPolicy({ rateLimit: N }, new Counters());
  const random = rng(42);
  const meanGap = 60 / (10 * N); // 10x the limit
  const minutes = 6 * 60;
  const perMinute = new Array<number>(minutes).fill(0);
  const admittedTimes: number[] = [];
  let time = 0;
  let sent = 0;
  while (true) {
    time += -Math.log(1 - random()) * meanGap; // Poisson arrivals
    if (time >= minutes * 60) break;
    sent++;
    if (policy.admit(REQ, CONN, ...at(time))) {
      perMinute[Math.floor(time / 60)]++;
      admittedTimes.push(time);
    }
  }
  const total = admittedTimes.length;
  t.ok(sent > 9 * N * minutes, `sent ${sent}`);
  const rate = total / minutes;
  t.ok(Math.abs(rate - N) / N < 0.005, `long-run rate ${rate.toFixed(2)}/min within 0.5% of ${N}`);
  // after the first minute every calendar minute is within one token of N
  const steady = perMinute.slice(1);
  t.ok(Math.max(...steady) <= N + 1 && Math.min(...steady) >= N - 1,
    `steady minutes in [${Math.min(...steady)}, ${Math.max(...steady)}]`);
  // no sliding 60 s window holds more than N plus the 10 s burst (N/6)
  let maxWindow = 0;
  let lo = 0;
  for (let hi = 0; hi < total; hi++) {
    while (admittedTimes[hi] - admittedTimes[lo] >= 60) lo++;
    if (hi - lo + 1 > maxWindow) maxWindow = hi - lo + 1;
  }
  t.ok(maxWindow <= N + Math.ceil(N / 6) + 1, `max 60 s window ${maxWindow}`);
});

t.test('replay gives the same decisions every run (packet time, not wall time)', async (t) => {
  const run = (): string => {
    const policy = new TrafficPolicy({ rateLimit: 120, rateLimitPerEndpoint: 30 }, new Counters());
    const random = rng(7);
    let out = '';
    let time = 0;
    for (let i = 0; i < 5000; i++) {
      time += random() * 0.2;
      const path = random() < 0.7 ? '/health' : `/orders/${Math.floor(random() * 1000)}`;
      out += policy.admit(head({ target: path }), CONN, ...at(time)) ? '1' : '0';
    }
    return out;
  };
  const a = run();
  const b = run();
  t.equal(a, b);
  t.match(a, /0/, 'some requests were limited');
  t.match(a, /1/, 'some were admitted');
});

t.test('packet time going backwards earns no tokens and is counted', async (t) => {
  const counters = new Counters();
  const policy = new TrafficPolicy({ rateLimit: 6, burstSeconds: 10 }, counters); // capacity 1
  t.ok(policy.admit(REQ, CONN, T0 + 100, 0));
  t.notOk(policy.admit(REQ, CONN, T0 + 50, 0), 'earlier packet: no refill');
  t.notOk(policy.admit(REQ, CONN, T0 + 105, 0), 'half a token since t=100');
  t.ok(policy.admit(REQ, CONN, T0 + 110, 0), 'one token 10 s after t=100');
  policy.publish();
  t.equal(counters.get(POLICY_COUNTERS.clockBackwards), 1);
});

t.test('TokenBucket: nanosecond part counts; capacity at least 1', async (t) => {
  const b = new TokenBucket(1, 1); // 1/min, capacity max(1, 1/60) = 1
  t.equal(b.capacity, 1);
  b.refill(T0, 0);
  t.ok(b.hasToken());
  b.take();
  b.refill(T0 + 59, 990_000_000); // 10 ms early
  t.notOk(b.hasToken());
  b.refill(T0 + 60, 0);
  t.ok(b.hasToken());
  t.throws(() => new TokenBucket(0, 10));
});
