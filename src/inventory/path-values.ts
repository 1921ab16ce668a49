/**
 * What one endpoint saw at each position of its path: the kinds of the segments (classify.ts) and the
 * smallest few values in text order. Kept per endpoint, for every position (a literal position may later
 * become a parameter when its literals pass the threshold), so an endpoint's path parameters report the
 * values of its own exchanges only: `DELETE /users/{userId}` never shows the ids of `GET /users/{userId}`.
 * Adding and merging are order-free (sets of kinds, the smallest values), like every other figure.
 * Bounds: positions are those of the endpoint's template (its trie depth); `maxExamples` values each.
 */
import { SECRET_KINDS, type ValueKind } from './classify.js';
import type { PathParameter } from './types.js';

export class PathValues {
  private readonly kinds: Array<Set<string>> = [];
  private readonly examples: string[][] = [];

  constructor(private readonly maxExamples: number) {}

  /** One exchange's segments and their kinds (same length). */
  add(segments: readonly string[], kinds: readonly ValueKind[]): void {
    for (let i = 0; i < segments.length; i++) this.note(i, kinds[i], segments[i], !SECRET_KINDS.has(kinds[i]));
  }

  /** Folds `o` (another endpoint merged into this one) in. */
  merge(o: PathValues): void {
    for (let i = 0; i < o.kinds.length; i++) {
      for (const k of o.kinds[i]) this.note(i, k, null, false);
      for (const v of o.examples[i]) this.note(i, null, v, true);
    }
  }

  /** The parameter `name` at `position`: kinds sorted; no example once any value there was a token, uuid or e-mail. */
  parameter(name: string, position: number): PathParameter {
    const kinds = [...(this.kinds[position] ?? [])].sort();
    const examples = kinds.some((k) => SECRET_KINDS.has(k)) ? [] : [...(this.examples[position] ?? [])];
    return { name, position, kinds, examples };
  }

  private note(i: number, kind: string | null, value: string | null, example: boolean): void {
    while (this.kinds.length <= i) { this.kinds.push(new Set()); this.examples.push([]); }
    if (kind !== null) this.kinds[i].add(kind);
    if (!example || value === null) return;
    const ex = this.examples[i];
    if (ex.includes(value) || (ex.length >= this.maxExamples && value >= ex[ex.length - 1])) return;
    ex.push(value);
    ex.sort();
    if (ex.length > this.maxExamples) ex.length = this.maxExamples;
  }
}
