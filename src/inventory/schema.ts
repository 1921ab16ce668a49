/**
 * JSON Schemas inferred from bodies with genson-js, kept in one canonical form so that the result does not
 * depend on the order bodies arrive in: keys sorted, `type` lists and `required` sorted, `anyOf` sorted by text.
 * Bounded: an object with more than MAX_PROPERTIES keys (a map keyed by ids, say) keeps only `type: object`,
 * and nesting deeper than MAX_DEPTH keeps only the type; each cut is counted by the caller.
 */
import { createSchema, mergeSchemas, type Schema } from 'genson-js';
import type { JsonSchema } from './types.js';

export const MAX_PROPERTIES = 200;
export const MAX_DEPTH = 12;

/** Cuts an inferred schema to the bounds above; `cut()` is called once per cut made. */
function bounded(s: Schema, depth: number, cut: () => void): Schema {
  const out: Schema = { ...s };
  if (depth >= MAX_DEPTH && (s.properties !== undefined || s.items !== undefined || s.anyOf !== undefined)) {
    cut();
    delete out.properties; delete out.items; delete out.anyOf; delete out.required;
    return out;
  }
  if (s.properties !== undefined) {
    const keys = Object.keys(s.properties);
    if (keys.length > MAX_PROPERTIES) {
      cut();
      delete out.properties; delete out.required;
    } else {
      out.properties = {};
      for (const k of keys) out.properties[k] = bounded(s.properties[k], depth + 1, cut);
    }
  }
  if (s.items !== undefined) out.items = bounded(s.items, depth + 1, cut);
  if (s.anyOf !== undefined) out.anyOf = s.anyOf.map((x) => bounded(x, depth + 1, cut));
  return out;
}

/** The schema of one parsed JSON value, bounded. */
export function schemaOf(value: unknown, cut: () => void): Schema {
  return bounded(createSchema(value), 0, cut);
}

/** The union of two schemas (genson's merge: required = keys present every time). */
export function mergeSchema(a: Schema | null, b: Schema): Schema {
  return a === null ? b : mergeSchemas([a, b]);
}

/** The canonical, plain-object form (see the file comment). */
export function canonical(s: Schema): JsonSchema {
  const out: JsonSchema = {};
  for (const key of Object.keys(s).sort()) {
    const v = (s as Record<string, unknown>)[key];
    if (key === 'properties') {
      const props: Record<string, JsonSchema> = {};
      const p = v as Record<string, Schema>;
      for (const k of Object.keys(p).sort()) props[k] = canonical(p[k]);
      out.properties = props;
    } else if (key === 'items') out.items = canonical(v as Schema);
    else if (key === 'anyOf') {
      out.anyOf = (v as Schema[]).map(canonical).sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
    } else if (Array.isArray(v)) out[key] = [...(v as string[])].sort();
    else out[key] = v;
  }
  return out;
}
