// The export stage's configuration: defaults, the --satellite-ca file, start-up remarks. The flag values it
// receives are parsed and refused by their own parsers (src/config/), tested through the executable in
// test/cli/apidump-usage-export.test.ts.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportConfigError, resolveExportConfig } from '../../src/export/config.js';

t.test('resolveExportConfig: defaults, and the values given', async (t) => {
  const d = resolveExportConfig({});
  t.equal(d.satelliteUrl, null);
  t.equal(d.levoEnv, 'staging');
  t.equal(d.exportIntervalMs, 10_000);
  t.equal(d.format, 'otlp');
  t.equal(d.out, null);
  t.equal(d.orgId, '');

  const f = resolveExportConfig({ satelliteUrl: 'https://flag-sat:8443/prefix', levoEnv: 'dev', levoaiOrgId: 'org-flag',
    exportIntervalMs: 2_500, exportFormat: 'levo', out: '-' });
  t.equal(f.satelliteUrl?.host, 'flag-sat:8443');
  t.equal(f.satelliteUrl?.pathname, '/prefix');
  t.equal(f.levoEnv, 'dev');
  t.equal(f.orgId, 'org-flag');
  t.equal(f.exportIntervalMs, 2_500);
  t.equal(f.format, 'levo');
  t.equal(f.out, '-');
});

t.test('resolveExportConfig: the CA file, and warnings', async (t) => {
  t.throws(() => resolveExportConfig({ satelliteCa: '/nonexistent/ca.pem' }), ExportConfigError);
  t.throws(() => resolveExportConfig({ satelliteCa: '/nonexistent/ca.pem' }), /--satellite-ca: cannot read/);
  const dir = mkdtempSync(join(tmpdir(), 'export-cfg-'));
  const notPem = join(dir, 'x.txt');
  writeFileSync(notPem, 'hello');
  t.throws(() => resolveExportConfig({ satelliteCa: notPem }), /no PEM certificate/);
  const pem = join(dir, 'ca.pem');
  writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  const c = resolveExportConfig({ satelliteUrl: 'http://s:1', satelliteCa: pem });
  t.ok(c.ca?.includes('BEGIN CERTIFICATE'));
  t.match(c.warnings.join('\n'), /ignored/, 'CA with http is a warning');
  t.match(c.warnings.join('\n'), /levoai-org-id/, 'missing org id is a warning');
});
