// The capture and policy flags take effect, shown on recorded captures against their ground truth
// (fixtures/captures/NAME.expected.json, logged by the real servers and clients), never against the sensor's
// own output: --filter, --host-allow, --path-allow, --host-exclusions, --path-exclusions, --exclude-user-agent,
// --rate-limit, --rate-limit-per-endpoint; from the command line, LEVO_* variables and the config file.
import t, { type Test } from 'tap';
import {
  capture, configFile, exchanges, expected, keysOfExpected, keysOfRecords, mergedCapture, type Expected,
} from './apidump-config-harness.js';
import { readPcapFile, recordTimeNs } from '../util/pcap-file.js';

const curl = expected('curl-variety'); // node server on 8080, curl clients
const nginx = expected('nginx'); // nginx on 8081, curl clients
const keepalive = expected('node-keepalive'); // node server on 8080, Node client (sends no User-Agent)
const pathOf = (e: Expected): string => e.target.split('?')[0];

/** Runs apidump and checks it succeeded; returns the exchanges written. */
async function kept(t: Test, pcap: string, args: string[], env: Record<string, string> = {}): Promise<any[]> {
  const r = await exchanges(pcap, [...args, '--log-level', 'warn'], env);
  t.equal(r.code, 0, `exit 0 (${args.join(' ')}) ${r.stderr}`);
  return r.records;
}

t.test('--filter: a capture with traffic on ports 8080 and 8081', async (t) => {
  const twoPorts = mergedCapture(['curl-variety', 'nginx']);
  const all = await kept(t, twoPorts, []);
  t.same(keysOfRecords(all), keysOfExpected([...curl, ...nginx]), 'without a filter: both servers');
  const only8081 = await kept(t, twoPorts, ['--filter', 'tcp port 8081']);
  t.same(keysOfRecords(only8081), keysOfExpected(nginx), '--filter tcp port 8081: the nginx exchanges only');
  t.ok(only8081.every((r) => r.server.port === 8081));
  t.same(keysOfRecords(await kept(t, twoPorts, [], { LEVO_FILTER: 'tcp port 8080' })), keysOfExpected(curl), 'LEVO_FILTER');
  const f = configFile('filter: port 8080 and (not port 8081)\n');
  t.same(keysOfRecords(await kept(t, twoPorts, ['--config', f])), keysOfExpected(curl), 'filter in the config file');
});

t.test('--host-allow and --host-exclusions match the Host header', async (t) => {
  const twoPorts = mergedCapture(['curl-variety', 'nginx']);
  const both = [...curl, ...nginx];
  const re = /:8081$/;
  t.ok(both.some((e) => re.test(e.host ?? '')) && both.some((e) => !re.test(e.host ?? '')), 'the capture has both hosts');
  t.same(keysOfRecords(await kept(t, twoPorts, ['--host-allow', ':8081$'])), keysOfExpected(both.filter((e) => re.test(e.host ?? ''))));
  t.same(keysOfRecords(await kept(t, twoPorts, ['--host-exclusions', ':8081$'])), keysOfExpected(both.filter((e) => !re.test(e.host ?? ''))));
  t.same(keysOfRecords(await kept(t, twoPorts, [], { LEVO_HOST_EXCLUSIONS: '["8081$", "8080$"]' })), [], 'every host excluded by the list');
});

t.test('--path-allow and --path-exclusions match the path without the query', async (t) => {
  const pcap = capture('curl-variety');
  const api = curl.filter((e) => /^\/api\//.test(pathOf(e)));
  t.ok(api.length > 0 && api.length < curl.length);
  t.same(keysOfRecords(await kept(t, pcap, ['--path-allow', '^/api/'])), keysOfExpected(api));
  const excluded = curl.filter((e) => !/^\/api\/items\/\d+$/.test(pathOf(e)) && pathOf(e) !== '/etag');
  t.same(keysOfRecords(await kept(t, pcap, ['--path-exclusions', '^/api/items/\\d+$', '--path-exclusions', '^/etag$'])), keysOfExpected(excluded),
    'two exclusions; DELETE /api/items/1?hard=true dropped by its path');
  const f = configFile('path-allow:\n  - ^/api/\n  - ^/gzip$\n');
  t.same(keysOfRecords(await kept(t, pcap, ['--config', f])), keysOfExpected(curl.filter((e) => /^\/api\//.test(pathOf(e)) || pathOf(e) === '/gzip')));
});

t.test('--exclude-user-agent: curl clients dropped, the Node client (no User-Agent) kept', async (t) => {
  const mixed = mergedCapture(['curl-variety', 'node-keepalive']);
  t.same(keysOfRecords(await kept(t, mixed, [])), keysOfExpected([...curl, ...keepalive]));
  t.same(keysOfRecords(await kept(t, mixed, ['--exclude-user-agent', '^curl/'])), keysOfExpected(keepalive));
  t.same(keysOfRecords(await kept(t, mixed, [], { LEVO_EXCLUDE_USER_AGENT: '^curl/' })), keysOfExpected(keepalive), 'LEVO_EXCLUDE_USER_AGENT');
  t.same(keysOfRecords(await kept(t, mixed, ['--exclude-user-agent', '^Wget/'])), keysOfExpected([...curl, ...keepalive]), 'no match: all kept');
});

/** Seconds of packet time the capture spans. */
function spanSeconds(name: string): number {
  const f = readPcapFile(capture(name));
  return Number(recordTimeNs(f, f.records[f.records.length - 1]) - recordTimeNs(f, f.records[0])) / 1e9;
}

t.test('--rate-limit N: a bucket of N/6 (at least 1) refilled N/60 per second of packet time (docs/policy.md)', async (t) => {
  const pcap = capture('concurrent');
  const all = expected('concurrent');
  const span = spanSeconds('concurrent');
  t.ok(span < 2, `the capture spans ${span} s: at N = 30 the refill adds under one token`);
  t.same(keysOfRecords(await kept(t, pcap, ['--rate-limit', '0'])), keysOfExpected(all), '0 = no limit');
  const one = await kept(t, pcap, ['--rate-limit', '6']);
  t.equal(one.length, 1, 'N = 6: a bucket of 1 and 0.1 token per second');
  t.ok(keysOfExpected(all).includes(keysOfRecords(one)[0]));
  t.equal((await kept(t, pcap, [], { LEVO_RATE_LIMIT: '30' })).length, 5, 'N = 30 from LEVO_RATE_LIMIT: a bucket of 5');
  t.equal((await kept(t, pcap, ['--config', configFile('rate-limit: 12\n')])).length, 2, 'N = 12 from the file: a bucket of 2');
});

/** Method + path with decimal segments as {id} (the fixtures' paths have no other identifiers). */
const endpoint = (e: Expected): string => `${e.method} ${pathOf(e).replace(/\/\d+(?=\/|$)/g, '/{id}')}`;

t.test('--rate-limit-per-endpoint M: at most one per endpoint when M = 6 (bucket of 1)', async (t) => {
  const pcap = capture('concurrent');
  const endpoints = new Set(expected('concurrent').map(endpoint));
  t.equal(endpoints.size, 3, 'GET /api/users/{id}, POST /api/users/{id}/events, GET /big');
  const perEndpoint = await kept(t, pcap, ['--rate-limit', '0', '--rate-limit-per-endpoint', '6']);
  const seen = perEndpoint.map((r) => endpoint({ method: r.request.method, target: r.request.target } as Expected));
  t.equal(perEndpoint.length, endpoints.size);
  t.same(new Set(seen), endpoints, 'one exchange of each endpoint');
  const fromEnv = await kept(t, pcap, [], { LEVO_RATE_LIMIT: '0', LEVO_RATE_LIMIT_PER_ENDPOINT: '12' });
  t.equal(fromEnv.length, 2 * endpoints.size, 'M = 12 from the environment: two of each');
});
