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

export class Shape {
  readonly types = new Set<string>();
  /** Objects folded in at this position. */
  objects = 0;
  /** Values folded in at this position (for a property: objects that had it). */
  seen = 0;
  /** Property -> shape; null once cut (too many keys). */
  props: Map<string, Shape> | null = new Map();
  items: Shape | null = null;
}

/** Folds shape `b` into `a` (the union of what both saw); `cut()` when the union passes a bound. */
export function foldShape(a: Shape, b: Shape, cut: () => void): void {
  a.seen += b.seen;
  a.objects += b.objects;
  for (const t of b.types) a.types.add(t);
  if (b.items !== null) foldShape(a.items ??= new Shape(), b.items, cut);
  if (a.props === null) return;
  if (b.props === null) { a.props = null; return; }
  for (const [k, p] of b.props) {
    const mine = a.props.get(k);
    if (mine !== undefined) { foldShape(mine, p, cut); continue; }
    if (a.props.size >= MAX_PROPERTIES) { a.props = null; cut(); return; }
    const copy = new Shape();
    foldShape(copy, p, cut);
    a.props.set(k, copy);
  }
}

/** The JSON Schema of a shape (keys in sorted order). */
export function toSchema(s: Shape): JsonSchema {
  const types = [...s.types];
  const names = (types.includes('integer') && types.includes('number') ? types.filter((t) => t !== 'integer') : types).sort();
  const out: JsonSchema = {};
  if (s.items !== null) out.items = toSchema(s.items);
  if (s.types.has('object') && s.props !== null && s.props.size > 0) {
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
