/** TLS to an https satellite whose certificate is issued by a private CA generated here with openssl. */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counters } from '../../src/util/counters.js';
import { startSatellite } from '../../src/satellite/server.js';
import { createLevoExporter } from '../../src/export/levo-exporter.js';
import { createOtlpExporter } from '../../src/export/otlp-exporter.js';
import { resolveExportConfig } from '../../src/export/config.js';
import { makeExchanges, waitFor } from './fixtures/exchanges.js';
import { makePkiOrReason, type TestPki } from './fixtures/pki.js';

const dir = mkdtempSync(join(tmpdir(), 'export-tls-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const pkiOrError = makePkiOrReason(dir);

t.test('https satellite with a private CA', { skip: typeof pkiOrError === 'string' ? pkiOrError : false }, async (t) => {
  const pki = pkiOrError as TestPki;
  const recs: any[] = [];
  const sat = await startSatellite({ port: 0, out: null, log: () => {}, tls: { key: pki.key, cert: pki.cert },
    onRecord: (r) => recs.push(r) });
  t.teardown(() => sat.close());
  t.match(sat.url, /^https:\/\/127\.0\.0\.1:\d+$/);

  // The CA goes through the same path as --satellite-ca.
  const cfg = resolveExportConfig({ satelliteUrl: sat.url, satelliteCa: pki.caPath, levoaiOrgId: 'tls-org' });
  t.same(cfg.warnings, []);
  const target = { satelliteUrl: cfg.satelliteUrl!, orgId: cfg.orgId, levoEnv: cfg.levoEnv, ca: cfg.ca! };

  for (const format of ['levo', 'otlp'] as const) {
    const counters = new Counters();
    const opts = { counters, requestTimeoutMs: 2000 };
    const exp = format === 'levo' ? createLevoExporter(target, opts) : createOtlpExporter(target, opts);
    const before = recs.length;
    exp.exportBatch(makeExchanges(3));
    await waitFor(() => recs.length === before + 3, 10_000, `${format} over TLS`);
    await exp.shutdown(Date.now() + 30_000); // resolves once the answer is in; the deadline only bounds a failure
    t.equal(counters.get('export.exported'), 3, `${format}: delivered with the private CA`);
    t.ok(recs.slice(before).every((r) => r.format === format && r.org_id === 'tls-org'));
  }

  // Without the CA the certificate is not trusted: nothing is delivered, the attempt is a counted retry.
  const counters = new Counters();
  const untrusted = createLevoExporter({ ...target, ca: undefined }, { counters, requestTimeoutMs: 2000, backoff: { initialMs: 5000 } });
  const before = recs.length;
  untrusted.exportBatch(makeExchanges(2));
  await waitFor(() => counters.get('export.retried') >= 1, 30_000, 'TLS failure');
  await untrusted.shutdown(Date.now() + 200);
  t.equal(recs.length, before, 'nothing accepted over an untrusted certificate');
  t.equal(counters.get('export.exported'), 0);
  t.equal(counters.get('export.failed'), 2, 'counted as undelivered at shutdown');
});
