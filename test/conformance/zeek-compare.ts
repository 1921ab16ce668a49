/**
 * Compares the sensor's exchange records with the rows of Zeek's http.log baselines
 * (fixtures/zeek-http/expected.json), row by row.
 *
 * Mapping from a record to a Zeek row (docs/conformance.md explains each):
 *  trans_depth <- depth; method/host <- request.method/host; uri <- request.target %-unescaped as Zeek
 *  logs it (an empty target is null: Zeek logs no uri);
 *  version <- the response's version (Zeek sets it from the reply), status_code <- response.status,
 *  info_code <- the last 1xx seen (101 counts, as in Zeek), body lengths <- decoded body lengths,
 *  client_port/server_port <- client.port/server.port.
 */
export interface ZeekRow {
  trans_depth: number | null;
  method: string | null;
  host: string | null;
  uri: string | null;
  version: string | null;
  request_body_len: number | null;
  response_body_len: number | null;
  status_code: number | null;
  info_code: number | null;
  client_port: number | null;
  server_port: number | null;
}

export interface ZeekTrace {
  trace: string;
  zeek_test: string;
  columns: 'full' | 'partial';
  rows: ZeekRow[];
}

export const COLUMNS: Array<keyof ZeekRow> = [
  'trans_depth', 'method', 'host', 'uri', 'version', 'request_body_len', 'response_body_len',
  'status_code', 'info_code', 'client_port', 'server_port',
];
const KEY_COLUMNS: Array<keyof ZeekRow> = ['client_port', 'server_port', 'trans_depth', 'method', 'uri'];

export function recordToRow(r: any): ZeekRow {
  const rq = r.request ?? null;
  const rs = r.response ?? null;
  let info: number | null = null;
  if (rs) {
    if (Array.isArray(rs.informational) && rs.informational.length > 0) info = rs.informational[rs.informational.length - 1];
    if (rs.status >= 100 && rs.status < 200) info = rs.status;
  }
  return {
    trans_depth: r.depth ?? null,
    method: rq ? rq.method : null,
    host: rq ? rq.host : null,
    uri: rq ? zeekUri(rq.target) : null,
    version: rs ? rs.version : null,
    request_body_len: rq ? rq.body.length : 0,
    response_body_len: rs ? rs.body.length : 0,
    status_code: rs ? rs.status : null,
    info_code: info,
    client_port: r.client?.port ?? null,
    server_port: r.server?.port ?? null,
  };
}

const HEX = /^[0-9A-Fa-f]{2}$/;

/**
 * The target as Zeek's http.log shows it: Zeek logs the %-unescaped URI (its `unescaped_URI`). Every `%XX`
 * with two hex digits becomes that byte; any other `%` (at the end, `%5` + end, `%zz`) is kept as sent.
 * Bytes are read back as latin1 unless the result is valid UTF-8. An empty target is null (no uri logged).
 */
export function zeekUri(target: string | null): string | null {
  if (target === null || target === '') return null;
  if (target.indexOf('%') < 0) return target;
  const out: number[] = [];
  const raw = Buffer.from(target, 'latin1');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x25 && i + 2 < raw.length && HEX.test(target.slice(i + 1, i + 3))) {
      out.push(parseInt(target.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(raw[i]);
  }
  const buf = Buffer.from(out);
  const utf8 = buf.toString('utf8');
  return utf8.includes('\ufffd') ? buf.toString('latin1') : utf8;
}

/**
 * Zeek's rows with Zeek's trans_depth replaced by the request order the sensor's `depth` means. Zeek also
 * gives a depth to each response it saw without a request (a row with a status but no method): e.g. in
 * http-desync-request-response-5 the requests are Zeek's depths 1, 4, 5, 6, 7 and the sensor's 1..5.
 * Per connection (client_port), rows with a method are renumbered 1, 2, ... in Zeek's depth order; rows
 * without a method keep Zeek's depth (the sensor never emits them, so they are only reported as missing).
 * Baselines without ports or without a method column are returned unchanged.
 */
export function renumberToRequestOrder(t: ZeekTrace): ZeekTrace {
  const orphan = (r: ZeekRow) => r.method === null && r.status_code !== null;
  if (!t.rows.some(orphan) || t.rows.some((r) => r.client_port === null || r.trans_depth === null)) return t;
  const rows = t.rows.map((r) => ({ ...r }));
  const byPort = new Map<number, ZeekRow[]>();
  for (const r of rows) {
    if (r.method === null) continue;
    let list = byPort.get(r.client_port as number);
    if (list === undefined) byPort.set(r.client_port as number, (list = []));
    list.push(r);
  }
  for (const list of byPort.values()) {
    list.sort((a, b) => (a.trans_depth as number) - (b.trans_depth as number));
    list.forEach((r, i) => { r.trans_depth = i + 1; });
  }
  return { ...t, rows };
}

/**
 * The columns a baseline kept: those non-null in at least one of its rows. A column that is null in every
 * row was dropped from that baseline (ports in the 261 variants), except info_code and status_code which
 * are legitimately null everywhere (no 1xx, no response) whenever the baseline has status codes at all.
 */
export function keptColumns(t: ZeekTrace): Set<keyof ZeekRow> {
  const kept = new Set<keyof ZeekRow>();
  for (const c of COLUMNS) if (t.rows.some((r) => r[c] !== null)) kept.add(c);
  if (t.columns === 'full' && kept.has('client_port')) { kept.add('info_code'); kept.add('status_code'); kept.add('host'); }
  return kept;
}

export interface RowDifference {
  trace: string;
  /** The expected row, or null for a row the sensor reported that Zeek did not. */
  expected: ZeekRow | null;
  actual: ZeekRow | null;
  /** Columns that differ (empty for missing/extra rows). */
  fields: Array<keyof ZeekRow>;
}

/** Pairs expected rows with actual rows on the key columns, then lists every difference. */
export function compareTrace(zeek: ZeekTrace, actualRows: ZeekRow[]): RowDifference[] {
  const t = renumberToRequestOrder(zeek);
  const kept = keptColumns(t);
  const keys = KEY_COLUMNS.filter((k) => kept.has(k));
  const unmatched = actualRows.slice();
  const diffs: RowDifference[] = [];
  for (const exp of t.rows) {
    if (kept.has('method') && exp.method === null) {
      // A row without a request (a response Zeek saw without one, or an empty row): every sensor record
      // has a request, so no record can stand for it.
      diffs.push({ trace: t.trace, expected: exp, actual: null, fields: [] });
      continue;
    }
    // the first actual row that agrees on every key column the expected row has
    let idx = unmatched.findIndex((a) => keys.every((k) => exp[k] === null || exp[k] === a[k]));
    if (idx < 0) {
      // fall back to the connection and order alone, so a wrong method/uri shows as a field difference
      idx = unmatched.findIndex((a) => exp.trans_depth !== null && a.trans_depth === exp.trans_depth
        && (exp.client_port === null || a.client_port === exp.client_port));
    }
    if (idx < 0) {
      diffs.push({ trace: t.trace, expected: exp, actual: null, fields: [] });
      continue;
    }
    const act = unmatched.splice(idx, 1)[0];
    const fields = COLUMNS.filter((c) => kept.has(c) && exp[c] !== act[c]);
    if (fields.length > 0) diffs.push({ trace: t.trace, expected: exp, actual: act, fields });
  }
  for (const act of unmatched) diffs.push({ trace: t.trace, expected: null, actual: act, fields: [] });
  return diffs;
}

/** A stable key for one difference, used by the deliberate-differences file. */
export function differenceKey(d: RowDifference): string {
  const row = d.expected ?? d.actual!;
  const what = d.expected === null ? 'extra' : d.actual === null ? 'missing' : d.fields.join('+');
  return `${d.trace}#${row.client_port ?? '-'}/${row.trans_depth ?? '-'}/${row.uri ?? row.status_code ?? '-'}:${what}`;
}
