import t from 'tap';
import { Counters } from '../../src/util/counters.js';
import { TrafficPolicy, POLICY_COUNTERS } from '../../src/policy/traffic-policy.js';
import { EndpointLimiter } from '../../src/policy/endpoint-limiter.js';
import { CONN, head, at, T0 } from './fixtures/heads.js';

const HEALTH = head({ target: '/health', userAgent: 'ELB-HealthChecker/2.0' });

/** 30 minutes: /health at 100 per second, a rare /orders/<id> every 7 s. */
function floodWithRare(policy: TrafficPolicy): { rareSent: number; rareAdmitted: number; healthAdmitted: number } {
  let rareSent = 0;
  let rareAdmitted = 0;
  let healthAdmitted = 0;
  for (let tick = 0; tick < 30 * 60 * 100; tick++) {
    const time = tick / 100;
    if (policy.admit(HEALTH, CONN, ...at(time))) healthAdmitted++;
    if (tick % 700 === 350) {
      rareSent++;
      if (policy.admit(head({ target: `/orders/${1000 + tick}` }), CONN, ...at(time))) rareAdmitted++;
    }
  }
  return { rareSent, rareAdmitted, healthAdmitted };
}

t.test('per-endpoint fairness: a flood on /health does not push out a rare /orders/{id}', async (t) => {
  const counters = new Counters();
  const fair = new TrafficPolicy({ rateLimit: 1000, rateLimitPerEndpoint: 60 }, counters);
  const r = floodWithRare(fair);
  t.equal(r.rareAdmitted, r.rareSent, `all ${r.rareSent} rare requests admitted`);
  // /health: 60/min for 30 min plus its 10 s burst (10 tokens)
  t.ok(r.healthAdmitted >= 1800 + 10 - 1 && r.healthAdmitted <= 1800 + 10 + 1, `health admitted ${r.healthAdmitted}`);
  fair.publish();
  t.equal(counters.get(POLICY_COUNTERS.rateLimitedEndpoint), 30 * 60 * 100 - r.healthAdmitted);
  t.equal(counters.get(POLICY_COUNTERS.rateLimitedGlobal), 0, 'the flood never drained the global bucket');
  t.equal(counters.get(POLICY_COUNTERS.endpointsTracked), 2, 'GET /health and GET /orders/{id}');

  // Control: without the per-endpoint limit the flood takes most of the global budget.
  const unfair = new TrafficPolicy({ rateLimit: 1000 }, new Counters());
  const u = floodWithRare(unfair);
  t.ok(u.rareAdmitted < u.rareSent / 2, `without it only ${u.rareAdmitted}/${u.rareSent} rare requests pass`);
});

t.test('a filtered request consumes no tokens', async (t) => {
  const counters = new Counters();
  const policy = new TrafficPolicy({ rateLimit: 60, pathExclusions: ['^/health$'] }, counters); // capacity 10
  const [s, ns] = at(0);
  let healthAdmitted = 0;
  for (let i = 0; i < 1000; i++) if (policy.admit(HEALTH, CONN, s, ns)) healthAdmitted++;
  t.equal(healthAdmitted, 0);
  let admitted = 0;
  for (let i = 0; i < 11; i++) if (policy.admit(head({ target: '/orders/1' }), CONN, s, ns)) admitted++;
  t.equal(admitted, 10, 'the whole burst is still there after 1000 filtered requests');
  policy.publish();
  t.equal(counters.get(POLICY_COUNTERS.pathExclusion), 1000);
  t.equal(counters.get(POLICY_COUNTERS.rateLimitedGlobal), 1);
});

t.test('a request limited by its endpoint takes no global token, and vice versa', async (t) => {
  const counters = new Counters();
  // global 60/min (10 tokens); per endpoint 6/min (1 token each)
  const policy = new TrafficPolicy({ rateLimit: 60, rateLimitPerEndpoint: 6 }, counters);
  const [s, ns] = at(0);
  let health = 0;
  for (let i = 0; i < 100; i++) if (policy.admit(HEALTH, CONN, s, ns)) health++;
  t.equal(health, 1);
  let others = 0;
  for (let i = 0; i < 9; i++) if (policy.admit(head({ target: `/r${i}x` }), CONN, s, ns)) others++;
  t.equal(others, 9, 'global still had 9 tokens after 99 endpoint-limited requests');
  t.notOk(policy.admit(head({ target: '/another' }), CONN, s, ns), 'global now empty');
  policy.publish();
  t.equal(counters.get(POLICY_COUNTERS.rateLimitedEndpoint), 99);
  t.equal(counters.get(POLICY_COUNTERS.rateLimitedGlobal), 1);
  // the globally limited /another took no endpoint token: 6 s later the global bucket has tokens
  // again (1/s) and /another's endpoint bucket (1 token per 10 s) is still full
  t.ok(policy.admit(head({ target: '/another' }), CONN, ...at(6)));
});

t.test('endpoint key: method and identifier-normalised path share a bucket', async (t) => {
  const policy = new TrafficPolicy({ rateLimit: 0, rateLimitPerEndpoint: 6 }, new Counters()); // 1 token each
  const [s, ns] = at(0);
  t.ok(policy.admit(head({ target: '/orders/1' }), CONN, s, ns));
  t.notOk(policy.admit(head({ target: '/orders/2?x=1' }), CONN, s, ns), 'same endpoint GET /orders/{id}');
  t.ok(policy.admit(head({ method: 'POST', target: '/orders/3' }), CONN, s, ns), 'another method');
  t.ok(policy.admit(head({ target: '/orders/1/items' }), CONN, s, ns), 'another path');
});

t.test('memory bound: the endpoint table never exceeds its cap', async (t) => {
  const counters = new Counters();
  const policy = new TrafficPolicy({ rateLimit: 0, rateLimitPerEndpoint: 60, maxEndpoints: 100 }, counters);
  let maxSeen = 0;
  for (let i = 0; i < 20_000; i++) {
    policy.admit(head({ target: `/p${i}x/items` }), CONN, ...at(i / 1000));
    if (policy.endpointCount > maxSeen) maxSeen = policy.endpointCount;
  }
  t.equal(maxSeen, 100);
  policy.publish();
  t.equal(counters.get(POLICY_COUNTERS.endpointsEvicted), 20_000 - 100);
  t.equal(counters.get(POLICY_COUNTERS.admitted), 20_000, 'eviction never rejects a request');
});

t.test('LRU, not FIFO: a recently used endpoint survives a stream of new ones', async (t) => {
  const lim = new EndpointLimiter(60, 10, 50);
  lim.bucketFor('GET /orders/{id}', T0, 0);
  for (let i = 0; i < 5000; i++) {
    lim.bucketFor(`GET /new${i}x`, T0, i);
    if (i % 10 === 0) lim.bucketFor('GET /orders/{id}', T0, i);
  }
  t.ok(lim.has('GET /orders/{id}'));
  t.notOk(lim.has('GET /new0x'));
  t.equal(lim.size, 50);
  t.equal(lim.evictions, 5001 - 50, 'every key but the 50 kept was evicted once');
  // a recreated bucket is full again (eviction is lenient)
  const b = lim.bucketFor('GET /new0x', T0 + 1, 0);
  t.equal(b.available(), b.capacity);
});
