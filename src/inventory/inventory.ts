/**
 * The endpoint inventory: `add(exchange)` any number of times, `snapshot()` any time (the report so far).
 * Endpoints are keyed by host, method and path template (path-trie.ts); each accumulates its figures
 * (endpoint-stats.ts). The report lists endpoints by calls (most first), then host, path and method, so the
 * same set of exchanges gives the same report whatever their order (while no cap is hit: docs/inventory.md).
 */
import { segmentKind } from './classify.js';
import { PathTrie, TrieBudget } from './path-trie.js';
import { DEFAULT_LIMITS, type EndpointReport, type InventoryExchange, type InventoryLimits, type InventoryReport } from './types.js';

/** The node cap follows the endpoint cap unless given: room for paths of ten segments each. */
const NODES_PER_ENDPOINT = 10;

/** A path's segments: split on '/', empty segments dropped (`/a//b/` is `/a/b`). */
export function pathSegments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

export class Inventory {
  readonly limits: InventoryLimits;
  private readonly budget: TrieBudget;
  private readonly hosts = new Map<string, PathTrie>();
  private exchanges = 0;
  private kept = 0;

  constructor(limits: Partial<InventoryLimits> = {}) {
    const maxEndpoints = limits.maxEndpoints ?? DEFAULT_LIMITS.maxEndpoints;
    this.limits = { ...DEFAULT_LIMITS, maxNodes: NODES_PER_ENDPOINT * maxEndpoints, ...limits };
    this.budget = new TrieBudget(this.limits);
  }

  add(ex: InventoryExchange): void {
    this.exchanges++;
    let trie = this.hosts.get(ex.host);
    if (trie === undefined) {
      if (this.budget.endpoints >= this.limits.maxEndpoints) { this.budget.droppedEndpointCap++; return; }
      if (this.budget.nodes >= this.limits.maxNodes) { this.budget.droppedNodeCap++; return; }
      trie = new PathTrie(this.budget);
      this.hosts.set(ex.host, trie);
    }
    const segments = pathSegments(ex.path);
    if (trie.add(segments, segments.map(segmentKind), ex)) this.kept++;
  }

  /** Counts of the whole run: exchanges read and kept, what the caps dropped, and the trie's size. */
  totals(): Record<string, number> {
    return {
      exchanges: this.exchanges,
      kept: this.kept,
      dropped_endpoint_cap: this.budget.droppedEndpointCap,
      dropped_node_cap: this.budget.droppedNodeCap,
      endpoints: this.budget.endpoints,
      nodes: this.budget.nodes,
    };
  }

  snapshot(): InventoryReport {
    const endpoints: EndpointReport[] = [];
    for (const [host, trie] of this.hosts) {
      trie.walk(({ path, method, stats, params }) => {
        const r = stats.report();
        endpoints.push({ host, method, path, ...r, path_parameters: params });
      });
    }
    endpoints.sort((a, b) => b.count - a.count || cmp(a.host, b.host) || cmp(a.path, b.path) || cmp(a.method, b.method));
    return { endpoints, totals: this.totals(), limits: { ...this.limits } };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
