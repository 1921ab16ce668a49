/**
 * Compares the sensor's exchange records with the rows of Zeek's http.log baselines
 * (shared/corpus/zeek-http/expected.json), row by row.
 *
 * Mapping from a record to a Zeek row (docs/conformance.md explains each):
 *  trans_depth <- depth; method/host/uri <- request.method/host/target (null when the record has no request);
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
    uri: rq ? rq.target : null,
    version: rs ? rs.version : null,
    request_body_len: rq ? rq.body.length : 0,
    response_body_len: rs ? rs.body.length : 0,
    status_code: rs ? rs.status : null,
    info_code: info,
    client_port: r.client?.port ?? null,
    server_port: r.server?.port ?? null,
  };
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
export function compareTrace(t: ZeekTrace, actualRows: ZeekRow[]): RowDifference[] {
  const kept = keptColumns(t);
  const keys = KEY_COLUMNS.filter((k) => kept.has(k));
  const unmatched = actualRows.slice();
  const diffs: RowDifference[] = [];
  for (const exp of t.rows) {
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
