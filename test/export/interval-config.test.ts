import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInterval, IntervalError } from '../../src/export/interval.js';
import {
  EXPORT_ENV, ExportConfigError, parseExportFormat, parseSatelliteUrl, resolveExportConfig,
} from '../../src/export/config.js';

t.test('parseInterval accepts seconds, decimals and units', async (t) => {
  t.equal(parseInterval('10'), 10_000);
  t.equal(parseInterval('2.5'), 2_500);
  t.equal(parseInterval('10s'), 10_000);
  t.equal(parseInterval('500ms'), 500);
  t.equal(parseInterval(' 1.5S '), 1_500);
  t.equal(parseInterval('2m'), 120_000);
  t.equal(parseInterval('.25'), 250);
  t.equal(parseInterval(3), 3_000, 'a number is seconds');
  t.equal(parseInterval(0.1), 100);
});

t.test('parseInterval rejects garbage and out-of-range values with the flag name', async (t) => {
  for (const bad of ['', 'abc', '-1', '0', '0ms', '10 h', '1e3', '10sec', '5ms', '1.2.3', 'NaN']) {
    t.throws(() => parseInterval(bad), IntervalError, `rejects ${JSON.stringify(bad)}`);
  }
  t.throws(() => parseInterval(Number.POSITIVE_INFINITY), IntervalError);
  t.throws(() => parseInterval('2d'), /--trace-export-interval/);
  t.throws(() => parseInterval('90000'), /out of range/, 'more than a day');
  t.equal(parseInterval('5ms', '--x', { minMs: 1 }), 5, 'limits are configurable');
});

t.test('parseSatelliteUrl', async (t) => {
  t.equal(parseSatelliteUrl('http://satellite:9999').href, 'http://satellite:9999/');
  t.equal(parseSatelliteUrl('https://10.0.0.1:8443/prefix').pathname, '/prefix');
  t.throws(() => parseSatelliteUrl('satellite:9999'), ExportConfigError, 'no scheme: "satellite:" is not http');
  t.throws(() => parseSatelliteUrl('localhost'), /not a URL/);
  t.throws(() => parseSatelliteUrl('ftp://x'), /not supported/);
  t.throws(() => parseSatelliteUrl('http://u:p@x:1'), /credentials/);
  t.throws(() => parseSatelliteUrl('http://x:1/?a=b'), /query/);
});

t.test('parseExportFormat', async (t) => {
  t.equal(parseExportFormat('OTLP'), 'otlp');
  t.equal(parseExportFormat('levo'), 'levo');
  t.throws(() => parseExportFormat('json'), /otlp, levo/);
});

t.test('resolveExportConfig: defaults, env, flags win', async (t) => {
  const d = resolveExportConfig({}, {});
  t.equal(d.satelliteUrl, null);
  t.equal(d.levoEnv, 'staging');
  t.equal(d.exportIntervalMs, 10_000);
  t.equal(d.format, 'otlp');
  t.equal(d.out, null);
  t.equal(d.orgId, '');

  const env = {
    [EXPORT_ENV.satelliteUrl]: 'http://env-sat:9999',
    [EXPORT_ENV.levoEnv]: 'production',
    [EXPORT_ENV.orgId]: 'org-env',
    [EXPORT_ENV.traceExportInterval]: '500ms',
    [EXPORT_ENV.exportFormat]: 'levo',
  };
  const e = resolveExportConfig({}, env);
  t.equal(e.satelliteUrl?.host, 'env-sat:9999');
  t.equal(e.levoEnv, 'production');
  t.equal(e.orgId, 'org-env');
  t.equal(e.exportIntervalMs, 500);
  t.equal(e.format, 'levo');

  const f = resolveExportConfig({ satelliteUrl: 'https://flag-sat', levoEnv: 'dev', levoaiOrgId: 'org-flag',
    traceExportInterval: 2.5, exportFormat: 'otlp', out: '-' }, env);
  t.equal(f.satelliteUrl?.host, 'flag-sat');
  t.equal(f.levoEnv, 'dev');
  t.equal(f.orgId, 'org-flag');
  t.equal(f.exportIntervalMs, 2_500);
  t.equal(f.format, 'otlp');
  t.equal(f.out, '-');
});

t.test('resolveExportConfig: clear errors and warnings', async (t) => {
  t.throws(() => resolveExportConfig({ traceExportInterval: 'soon' }, {}), ExportConfigError);
  t.throws(() => resolveExportConfig({}, { [EXPORT_ENV.traceExportInterval]: '-3' }), /--trace-export-interval/);
  t.throws(() => resolveExportConfig({ satelliteUrl: 'nope' }, {}), /--satellite-url/);
  t.throws(() => resolveExportConfig({ exportFormat: 'zipkin' }, {}), /--export-format/);
  t.throws(() => resolveExportConfig({ satelliteCa: '/nonexistent/ca.pem' }, {}), /--satellite-ca: cannot read/);
  const dir = mkdtempSync(join(tmpdir(), 'export-cfg-'));
  const notPem = join(dir, 'x.txt');
  writeFileSync(notPem, 'hello');
  t.throws(() => resolveExportConfig({ satelliteCa: notPem }, {}), /no PEM certificate/);
  const pem = join(dir, 'ca.pem');
  writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  const c = resolveExportConfig({ satelliteUrl: 'http://s:1', satelliteCa: pem }, {});
  t.ok(c.ca?.includes('BEGIN CERTIFICATE'));
  t.match(c.warnings.join('\n'), /ignored/, 'CA with http is a warning');
  t.match(c.warnings.join('\n'), /levoai-org-id/, 'missing org id is a warning');
});
