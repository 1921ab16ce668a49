/**
 * JSON Schemas inferred from bodies: every body is scanned into a Shape (json-shape.ts) and folded into one Shape per endpoint and status
 * (types seen, properties with how many objects had them, array items), and the Shape is written out as a
 * JSON Schema at report time: `type` (one name or a sorted list; integer folds into number when both are
 * seen), `properties` and `required` (the keys every object had), `items`. Folding is a union with counts,
 * so the schema depends on the set of bodies only, never on their order; keys come out sorted.
 *
 * Bounded: an object position whose keys add up to more than MAX_PROPERTIES (a map keyed by ids, say) keeps
 * only `type: object`, and values nested deeper than MAX_DEPTH keep only their type. Each cut is counted by
 * the caller (`schema_cuts`).
 */
import type { JsonSchema } from './types.js';

export const MAX_PROPERTIES = 200;
export const MAX_DEPTH = 12;

/** Type bits of a Shape. */
export const T_NULL = 1;
export const T_BOOLEAN = 2;
export const T_INTEGER = 4;
export const T_NUMBER = 8;
export const T_STRING = 16;
export const T_OBJECT = 32;
export const T_ARRAY = 64;
const TYPE_NAMES: Array<[number, string]> = [
  [T_ARRAY, 'array'], [T_BOOLEAN, 'boolean'], [T_INTEGER, 'integer'], [T_NULL, 'null'], [T_NUMBER, 'number'], [T_OBJECT, 'object'], [T_STRING, 'string'],
];

export class Shape {
  /** T_* bits of the types seen. */
  types = 0;
  /** Objects folded in at this position. */
  objects = 0;
  /** Values folded in at this position (for a property: objects that had it). */
  seen = 0;
  /** Property -> shape, made with the first key; null before it, or once cut (`propsCut`). */
  props: Map<string, Shape> | null = null;
  propsCut = false;
  items: Shape | null = null;
  /** The keys of the last object scanned here, in order, and their shapes: a cache for the scanner only. */
  lastKeys: string[] | null = null;
  lastShapes: Shape[] | null = null;
}

/** Folds shape `b` into `a` (the union of what both saw); `cut()` when the union passes a bound. */
export function foldShape(a: Shape, b: Shape, cut: () => void): void {
  a.seen += b.seen;
  a.objects += b.objects;
  a.types |= b.types;
  if (b.items !== null) foldShape(a.items ??= new Shape(), b.items, cut);
  if (a.propsCut) return;
  if (b.propsCut) { a.props = null; a.propsCut = true; return; }
  if (b.props === null) return;
  const mine = a.props ??= new Map();
  for (const [k, p] of b.props) {
    const m = mine.get(k);
    if (m !== undefined) { foldShape(m, p, cut); continue; }
    if (mine.size >= MAX_PROPERTIES) { a.props = null; a.propsCut = true; cut(); return; }
    const copy = new Shape();
    foldShape(copy, p, cut);
    mine.set(k, copy);
  }
}

/** The JSON Schema of a shape (keys in sorted order). */
export function toSchema(s: Shape): JsonSchema {
  const bits = (s.types & T_INTEGER) !== 0 && (s.types & T_NUMBER) !== 0 ? s.types & ~T_INTEGER : s.types;
  const names = TYPE_NAMES.filter(([bit]) => (bits & bit) !== 0).map(([, name]) => name);
  const out: JsonSchema = {};
  if (s.items !== null) out.items = toSchema(s.items);
  if ((s.types & T_OBJECT) !== 0 && s.props !== null && s.props.size > 0) {
    const props: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const k of [...s.props.keys()].sort()) {
      const p = s.props.get(k)!;
      props[k] = toSchema(p);
      if (p.seen === s.objects) required.push(k);
    }
    out.properties = props;
    if (required.length > 0) out.required = required;
  }
  out.type = names.length === 1 ? names[0] : names;
  return out;
}
