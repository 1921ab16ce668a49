/**
 * Reading OTLP/HTTP JSON trace requests (ExportTraceServiceRequest) into plain records.
 * Attribute lists ([{key, value: AnyValue}]) become plain objects; everything else is kept as sent.
 */

type AnyValue = {
  stringValue?: string; boolValue?: boolean; intValue?: number | string; doubleValue?: number;
  bytesValue?: string; arrayValue?: { values?: AnyValue[] }; kvlistValue?: { values?: KeyValue[] };
};
type KeyValue = { key: string; value?: AnyValue };

/** AnyValue to a plain JSON value; intValue stays a string when it is one (int64 beyond 2^53). */
export function plainValue(v: AnyValue | undefined): unknown {
  if (v === undefined || v === null) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return v.intValue;
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(plainValue);
  if (v.kvlistValue !== undefined) return plainAttributes(v.kvlistValue.values);
  return null;
}

export function plainAttributes(list: KeyValue[] | undefined): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  if (!Array.isArray(list)) return out;
  for (const kv of list) if (kv && typeof kv.key === 'string') out[kv.key] = plainValue(kv.value);
  return out;
}

export interface OtlpSpanRecord {
  resource: Record<string, unknown>;
  scope: { name?: string; version?: string };
  /** The span as sent, with `attributes` made plain. */
  span: Record<string, unknown> & { attributes: Record<string, unknown> };
}

/** Flattens a parsed ExportTraceServiceRequest into one record per span. Throws on a wrong shape. */
export function otlpSpanRecords(body: unknown): OtlpSpanRecord[] {
  const rs = (body as { resourceSpans?: unknown }).resourceSpans;
  if (!Array.isArray(rs)) throw new Error('resourceSpans is not an array');
  const out: OtlpSpanRecord[] = [];
  for (const r of rs) {
    const resource = plainAttributes(r?.resource?.attributes);
    for (const ss of (Array.isArray(r?.scopeSpans) ? r.scopeSpans : [])) {
      const scope = { name: ss?.scope?.name, version: ss?.scope?.version };
      for (const span of (Array.isArray(ss?.spans) ? ss.spans : [])) {
        out.push({ resource, scope, span: { ...span, attributes: plainAttributes(span?.attributes) } });
      }
    }
  }
  return out;
}
