// Lenient response decoding against real clients: `apidump` (the process) on fixtures/lenient/lenient.pcap, where
// curl, Node's fetch, Python's http.client and headless Chromium each fetched every raw response variant of
// fixtures/lenient/variants.mjs once (fixtures/README.md, "lenient/"). The ground truth is what those clients
// read (lenient.expected.json), never the sensor's own output. Per exchange, matched by the variant in the path
// (/v/<variant>) and the client in the query (?c=<client>):
//   - the decoded response body equals `expected`, the body the most lenient client read (when no client read
//     one, only that the exchange exists);
//   - the exchange carries `lenient` exactly when the variant is `unusual` (its head, framing or coding list departs
//     from RFC 9110/9112), and the variant's `flags` (`decode_error`, `unknown_encoding`: a coding not applied);
//   - well-formed controls carry neither `lenient` nor `parse_error`.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runSensor, STACK_LINE } from '../util/sensor-run.js';

const DIR = join(REPO_ROOT, 'fixtures', 'lenient');

interface VariantTruth {
  group: string;
  control: boolean;
  unusual: boolean;
  flags: string[];
  note: string;
  expected: string | null;
  expectedFrom: string[];
  strictRefused: string[];
}
const truth = JSON.parse(readFileSync(join(DIR, 'lenient.expected.json'), 'utf8')) as {
  clients: string[];
  variants: Record<string, VariantTruth>;
};

const run = await runSensor(['apidump', '--pcap', join(DIR, 'lenient.pcap'), '--rate-limit', '0', '--redaction', 'off'], { withOut: true, timeoutMs: 180_000 });

t.test('apidump reads the recording: exit 0, no stack trace', async (t) => {
  t.equal(run.code, 0, 'exit 0');
  t.notMatch(run.stderr, STACK_LINE);
  t.ok(run.records.length > 0, 'exchanges written');
});

t.test('the recording matches variants.mjs: every variant recorded, every response whole in the capture', async (t) => {
  const { VARIANTS } = (await import(join(DIR, 'variants.mjs'))) as { VARIANTS: Array<{ name: string }> };
  t.same(Object.keys(truth.variants), VARIANTS.map((v) => v.name), 'lenient.expected.json has the variants of variants.mjs, in order');
  const check = spawnSync(process.execPath, [join(DIR, 'check-wire.mjs'), join(DIR, 'lenient.pcap'), '80'], { encoding: 'utf8' });
  t.equal(check.status, 0, `check-wire.mjs: ${check.stderr.trim() || check.stdout.trim()}`);
  t.match(check.stdout, `${VARIANTS.length * truth.clients.length} responses`, 'one response per variant and client');
});

/** The client named in the target's query (`?c=curl`), or null. */
function clientOf(target: string): string | null {
  const q = target.indexOf('?');
  return q < 0 ? null : new URLSearchParams(target.slice(q + 1)).get('c');
}

/** Bytes as text for a readable diff (latin1: one character per byte). */
const text = (base64: string) => Buffer.from(base64, 'base64').toString('latin1');

for (const [name, v] of Object.entries(truth.variants)) {
  for (const client of truth.clients) {
    t.test(`${name} fetched by ${client}: ${v.note}`, async (t) => {
      const found = run.records.filter((x) => x.request?.path === `/v/${name}` && clientOf(x.request.target) === client);
      t.ok(found.length > 0, 'the exchange is reported');
      for (const x of found) {
        const flags: string[] = x.flags ?? [];
        const seen = `reported: status ${x.response?.status ?? 'none'}, flags [${flags.join(', ')}], body ${x.response?.body?.length ?? 'none'} bytes`;
        if (v.expected !== null) {
          t.equal(text(x.response?.body?.base64 ?? ''), text(v.expected),
            `the body ${v.expectedFrom.join(', ')} read (${Buffer.from(v.expected, 'base64').length} bytes); ${seen}`);
        }
        if (v.unusual) t.ok(flags.includes('lenient'), `flag lenient (unusual framing); ${seen}`);
        else t.notOk(flags.includes('lenient'), `no lenient (RFC-valid framing); ${seen}`);
        for (const f of v.flags) t.ok(flags.includes(f), `flag ${f}; ${seen}`);
        if (v.flags.length > 0 && v.expected === null) {
          t.not(x.response?.body?.encoding ?? null, 'gzip', `a coding not applied is not reported as decoded; ${seen}`);
        }
        if (v.control) {
          t.notOk(flags.includes('lenient'), `control: no lenient; ${seen}`);
          t.notOk(flags.includes('parse_error'), `control: no parse_error; ${seen}`);
        }
      }
    });
  }
}
