/**
 * Percentiles of a stream of numbers in bounded memory: a DDSketch (@datadog/sketches-js, 1 % relative
 * accuracy). Adding and merging are order-free (bucket counts), so the percentiles of a set of values do not
 * depend on the order they were added in. Reported values are clamped to the exact minimum and maximum seen,
 * so a percentile never falls outside what was measured (a p50 of values all >= 200 is >= 200).
 */
import { DDSketch } from '@datadog/sketches-js';
import type { Percentiles } from './types.js';

const RELATIVE_ACCURACY = 0.01;

export class Quantiles {
  private sketch: DDSketch | null = null;
  private min = Infinity;
  private max = -Infinity;

  add(value: number): void {
    (this.sketch ??= new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY })).accept(Math.max(0, value));
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  merge(other: Quantiles): void {
    if (other.sketch === null) return;
    if (this.sketch === null) this.sketch = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });
    this.sketch.merge(other.sketch);
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /** p50, p95, p99 rounded to `digits` decimals; null when nothing was added. */
  percentiles(digits: number): Percentiles | null {
    const s = this.sketch;
    if (s === null || s.count === 0) return null;
    const at = (q: number): number => {
      const v = Math.min(this.max, Math.max(this.min, s.getValueAtQuantile(q)));
      const f = 10 ** digits;
      return Math.round(v * f) / f;
    };
    return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
  }
}
