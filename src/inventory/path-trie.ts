/**
 * Path templates learned from the paths seen under one host. A trie of path segments; each node is a
 * position under a prefix. A segment that is clearly a value (classify.ts) goes to the node's parameter
 * child at once. Other segments are literals: the node remembers the distinct literals seen at that position
 * (at most `paramThreshold`); one more and the position becomes a parameter: every literal child is merged
 * into the parameter child (endpoints with their figures, sub-trees recursively, which may turn deeper
 * positions into parameters too), and later literals go to the parameter child directly.
 *
 * Order: the literal sets only grow and a position never turns back, so the final trie is a function of the
 * set of paths, whatever the order they came in (while no cap below is hit).
 * Bounds: at most `maxNodes` nodes and `maxEndpoints` endpoints (host, method, template) over all hosts;
 * an exchange that would need more is dropped and counted (`dropped_node_cap`, `dropped_endpoint_cap`).
 */
import { parameterName, type ValueKind } from './classify.js';
import { EndpointStats } from './endpoint-stats.js';
import type { InventoryExchange, InventoryLimits, PathParameter } from './types.js';

export class TrieNode {
  readonly literals = new Map<string, TrieNode>();
  param: TrieNode | null = null;
  /** Distinct literals seen at the children's position; null once that position is a parameter. */
  seen: Set<string> | null = new Set();
  /** Method -> figures of the endpoint whose path ends here (its path parameters' values included). */
  readonly endpoints = new Map<string, EndpointStats>();
}

/** Shared counts and limits of every host's trie. */
export class TrieBudget {
  nodes = 0;
  endpoints = 0;
  droppedNodeCap = 0;
  droppedEndpointCap = 0;
  constructor(readonly limits: InventoryLimits) {}
}

export interface TemplateVisit {
  path: string;
  method: string;
  stats: EndpointStats;
  params: PathParameter[];
}

export class PathTrie {
  readonly root = new TrieNode();

  constructor(private readonly budget: TrieBudget) {
    budget.nodes++;
  }

  /** A new node, or null when the node cap is reached. */
  private newNode(): TrieNode | null {
    if (this.budget.nodes >= this.budget.limits.maxNodes) return null;
    this.budget.nodes++;
    return new TrieNode();
  }

  private paramChild(node: TrieNode): TrieNode | null {
    return node.param ??= this.newNode();
  }

  /** Turns the children's position of `node` into a parameter: every literal child merges into it. */
  private flip(node: TrieNode): void {
    node.seen = null;
    if (node.literals.size === 0) return;
    if (node.param === null) { node.param = new TrieNode(); this.budget.nodes++; }
    const p = node.param;
    for (const child of node.literals.values()) this.mergeInto(p, child);
    node.literals.clear();
  }

  /** Folds the sub-tree `src` into `dst` (src is discarded). */
  private mergeInto(dst: TrieNode, src: TrieNode): void {
    this.budget.nodes--;
    for (const [method, stats] of src.endpoints) {
      const mine = dst.endpoints.get(method);
      if (mine === undefined) dst.endpoints.set(method, stats);
      else { mine.merge(stats); this.budget.endpoints--; }
    }
    if (src.seen === null && dst.seen !== null) this.flip(dst);
    if (dst.seen === null) {
      if (src.literals.size > 0 || src.param !== null) {
        if (dst.param === null) { dst.param = new TrieNode(); this.budget.nodes++; }
        for (const child of src.literals.values()) this.mergeInto(dst.param, child);
        if (src.param !== null) this.mergeInto(dst.param, src.param);
      }
      return;
    }
    for (const lit of src.seen!) dst.seen.add(lit);
    for (const [lit, child] of src.literals) {
      const mine = dst.literals.get(lit);
      if (mine === undefined) dst.literals.set(lit, child); else this.mergeInto(mine, child);
    }
    if (src.param !== null) {
      if (dst.param === null) dst.param = src.param; else this.mergeInto(dst.param, src.param);
    }
    if (dst.seen.size > this.budget.limits.paramThreshold) this.flip(dst);
  }

  /** Adds one exchange at its path; false when a cap dropped it (counted in the budget). */
  add(segments: readonly string[], kinds: readonly ValueKind[], ex: InventoryExchange): boolean {
    let node = this.root;
    // with every endpoint slot taken, only paths that already exist can be counted: no node is made for others
    const full = this.budget.endpoints >= this.budget.limits.maxEndpoints;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i];
      let next: TrieNode | null | undefined;
      if (kinds[i] === 'string' && node.seen !== null) {
        node.seen.add(seg);
        if (node.seen.size > this.budget.limits.paramThreshold) this.flip(node);
      }
      if (kinds[i] !== 'string' || node.seen === null) {
        next = full ? node.param : this.paramChild(node);
      } else {
        next = node.literals.get(seg) ?? null;
        if (next === null && !full) {
          next = this.newNode();
          if (next !== null) node.literals.set(seg, next);
        }
      }
      if (next === null) {
        if (full) this.budget.droppedEndpointCap++; else this.budget.droppedNodeCap++;
        return false;
      }
      node = next;
    }
    let stats = node.endpoints.get(ex.method);
    if (stats === undefined) {
      if (this.budget.endpoints >= this.budget.limits.maxEndpoints) { this.budget.droppedEndpointCap++; return false; }
      stats = new EndpointStats(this.budget.limits);
      node.endpoints.set(ex.method, stats);
      this.budget.endpoints++;
    }
    stats.add(ex);
    stats.pathValues.add(segments, kinds);
    return true;
  }

  /** Calls `visit` for every endpoint, with its template (`/users/{userId}`) and path parameters (its own values). */
  walk(visit: (v: TemplateVisit) => void): void {
    type Named = Pick<PathParameter, 'name' | 'position'>;
    const step = (node: TrieNode, parts: string[], params: Named[], used: Map<string, number>, before: string | null): void => {
      const path = parts.length === 0 ? '/' : `/${parts.join('/')}`;
      for (const [method, stats] of node.endpoints) {
        visit({ path, method, stats, params: params.map((p) => stats.pathValues.parameter(p.name, p.position)) });
      }
      // a literal '{' or '}' would read as a parameter in the template: written percent-encoded
      for (const [lit, child] of node.literals) step(child, [...parts, lit.replace(/[{}]/g, (c) => (c === '{' ? '%7B' : '%7D'))], params, used, lit);
      if (node.param !== null) {
        const base = parameterName(before);
        const n = (used.get(base) ?? 0) + 1;
        const name = n === 1 ? base : `${base}${n}`;
        step(node.param, [...parts, `{${name}}`], [...params, { name, position: parts.length }], new Map(used).set(base, n), null);
      }
    };
    step(this.root, [], [], new Map(), null);
  }
}
