import t from 'tap';
import { Counters } from '../../src/util/counters.js';
import { TrafficPolicy, POLICY_COUNTERS, type TrafficPolicyOptions } from '../../src/policy/traffic-policy.js';
import { PolicyConfigError } from '../../src/policy/errors.js';
import { CONN, head, at } from './fixtures/heads.js';

/** Known requests, by name. Filters only: rate limits are off in these tests. */
const FIXTURES = {
  ordersApi: head({ host: 'api.example.com:8080', target: '/v1/orders/123?expand=items' }),
  usersApi: head({ host: 'api.example.com', target: '/v1/users/42' }),
  adminUi: head({ host: 'admin.example.com', target: '/admin/login' }),
  health: head({ host: '10.0.0.1:8080', target: '/healthz', userAgent: 'ELB-HealthChecker/2.0' }),
  kubeProbe: head({ host: '10.0.0.1:8080', target: '/ready', userAgent: 'kube-probe/1.29' }),
  internal: head({ host: 'metrics.internal:9100', target: '/metrics' }),
  noHost: head({ host: null, target: '/v1/orders/7', userAgent: null }),
  upperHost: head({ host: 'API.EXAMPLE.COM', target: '/v1/users/1' }),
};
type Name = keyof typeof FIXTURES;
const ALL = Object.keys(FIXTURES) as Name[];

function kept(options: TrafficPolicyOptions): { names: Name[]; counters: Record<string, number> } {
  const counters = new Counters();
  const policy = new TrafficPolicy({ rateLimit: 0, ...options }, counters);
  const [s, ns] = at(0);
  const names = ALL.filter((n) => policy.admit(FIXTURES[n], CONN, s, ns));
  policy.publish();
  return { names, counters: counters.snapshot() };
}

t.test('no filters keep everything', async (t) => {
  t.same(kept({}).names, ALL);
});

t.test('each filter alone', async (t) => {
  let r = kept({ hostAllow: ['^api\\.example\\.com(:\\d{1,5})?$'] });
  t.same(r.names, ['ordersApi', 'usersApi', 'upperHost'], 'host allow is case-insensitive, port optional');
  t.equal(r.counters[POLICY_COUNTERS.hostAllow], 5);

  r = kept({ pathAllow: ['^/v1/'] });
  t.same(r.names, ['ordersApi', 'usersApi', 'noHost', 'upperHost']);
  t.equal(r.counters[POLICY_COUNTERS.pathAllow], 4);

  r = kept({ hostExclusions: ['\\.internal(:\\d+)?$', '^10\\.'] });
  t.same(r.names, ['ordersApi', 'usersApi', 'adminUi', 'noHost', 'upperHost']);
  t.equal(r.counters[POLICY_COUNTERS.hostExclusion], 3);

  r = kept({ pathExclusions: ['^/(healthz|ready|metrics)$'] });
  t.same(r.names, ['ordersApi', 'usersApi', 'adminUi', 'noHost', 'upperHost']);
  t.equal(r.counters[POLICY_COUNTERS.pathExclusion], 3);

  r = kept({ excludeUserAgent: ['^ELB-HealthChecker/', '^kube-probe/'] });
  t.same(r.names, ['ordersApi', 'usersApi', 'adminUi', 'internal', 'noHost', 'upperHost']);
  t.equal(r.counters[POLICY_COUNTERS.userAgentExclusion], 2);
});

t.test('host includes the port as sent; path excludes the query', async (t) => {
  t.same(kept({ hostAllow: [':8080$'] }).names, ['ordersApi', 'health', 'kubeProbe']);
  t.same(kept({ pathAllow: ['expand'] }).names, [], 'the query is not part of the path');
  t.same(kept({ pathAllow: ['^/v1/orders/\\d{1,3}$'] }).names, ['ordersApi', 'noHost'], 'comma regex works as one pattern');
});

t.test('a missing Host or User-Agent is matched as the empty string', async (t) => {
  t.same(kept({ hostAllow: ['^$'] }).names, ['noHost']);
  t.same(kept({ excludeUserAgent: ['^$'] }).names, ALL.filter((n) => n !== 'noHost'));
});

t.test('combined: exclusions win over allow lists; counted by the first rule that rejects', async (t) => {
  const r = kept({
    hostAllow: ['example\\.com', '^10\\.0\\.0\\.1'],
    pathAllow: ['^/v1/', '^/admin/', '^/healthz$'],
    hostExclusions: ['^admin\\.'],
    pathExclusions: ['^/v1/users/'],
    excludeUserAgent: ['^ELB-HealthChecker/'],
  });
  t.same(r.names, ['ordersApi']);
  t.same({
    hostExclusion: r.counters[POLICY_COUNTERS.hostExclusion],
    pathExclusion: r.counters[POLICY_COUNTERS.pathExclusion],
    userAgent: r.counters[POLICY_COUNTERS.userAgentExclusion],
    hostAllow: r.counters[POLICY_COUNTERS.hostAllow],
    pathAllow: r.counters[POLICY_COUNTERS.pathAllow],
    admitted: r.counters[POLICY_COUNTERS.admitted],
  }, {
    hostExclusion: 1, // adminUi
    pathExclusion: 2, // usersApi, upperHost
    userAgent: 1, // health
    hostAllow: 2, // internal, noHost
    pathAllow: 1, // kubeProbe (/ready)
    admitted: 1,
  });
});

t.test('same regex in allow and exclusion: exclusion wins', async (t) => {
  t.same(kept({ pathAllow: ['^/v1/'], pathExclusions: ['^/v1/'] }).names, []);
});

t.test('invalid options are start-up errors naming the flag', async (t) => {
  const c = new Counters();
  t.throws(() => new TrafficPolicy({ hostAllow: ['ok', '*bad'] }, c), { name: 'PolicyConfigError', flag: 'host-allow', pattern: '*bad' });
  t.throws(() => new TrafficPolicy({ pathExclusions: '[' }, c), { name: 'PolicyConfigError', flag: 'path-exclusions', pattern: '[' });
  t.throws(() => new TrafficPolicy({ excludeUserAgent: ['(?<'] }, c), PolicyConfigError);
  t.throws(() => new TrafficPolicy({ rateLimit: -1 }, c), { name: 'PolicyConfigError', flag: 'rate-limit' });
  t.throws(() => new TrafficPolicy({ rateLimitPerEndpoint: Number.NaN }, c), { name: 'PolicyConfigError', flag: 'rate-limit-per-endpoint' });
});

t.test('defaults: rate limit 1000/min on, per-endpoint off', async (t) => {
  const policy = new TrafficPolicy({}, new Counters());
  t.notOk(policy.unlimited);
  const [s, ns] = at(0);
  for (let i = 0; i < 500; i++) policy.admit(FIXTURES.ordersApi, CONN, s, ns);
  t.equal(policy.endpointCount, 0);
});
