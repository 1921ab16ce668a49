/**
 * The embedded satellite's live catalog: every received exchange (OTLP span or satellite JSON trace,
 * trace-exchange.ts) goes into one Inventory (src/inventory), served as
 *
 *   GET /               the HTML page (src/inventory/html-page.ts), checking for new data every
 *                       REFRESH_SECONDS while it is open (a fetch of itself; swapped only when it changed)
 *   GET /api/inventory  the inventory JSON (the `json` format of `pcap-sensor inventory`)
 *   GET /openapi.json   the OpenAPI 3.1 document of it
 *
 * A record that is not an HTTP exchange is counted in `skipped` and otherwise ignored: the catalog never
 * makes a trace request fail. Memory is the inventory's (bounded by its caps: docs/inventory.md).
 */
import { Inventory } from '../inventory/inventory.js';
import { renderHtml } from '../inventory/html-page.js';
import { toOpenApi } from '../inventory/openapi.js';
import type { InventoryExchange, InventoryLimits } from '../inventory/types.js';
import { fromLevoTrace, fromOtlpSpan } from './trace-exchange.js';

export const REFRESH_SECONDS = 3;

export interface CatalogResponse { status: number; type: string; body: string }

export class Catalog {
  readonly inventory: Inventory;
  /** Records that were not HTTP exchanges, or could not be read as one. */
  skipped = 0;

  constructor(limits: Partial<InventoryLimits> = {}) {
    this.inventory = new Inventory(limits);
  }

  private add(read: () => InventoryExchange | null): void {
    let ex: InventoryExchange | null;
    try {
      ex = read();
    } catch {
      ex = null;
    }
    if (ex === null) this.skipped++;
    else this.inventory.add(ex);
  }

  addOtlpSpan(span: Parameters<typeof fromOtlpSpan>[0]): void {
    this.add(() => fromOtlpSpan(span));
  }

  addLevoTrace(trace: unknown): void {
    this.add(() => fromLevoTrace(trace));
  }

  /** The answer to a GET of `path`, or null when the path is not the catalog's. */
  get(path: string): CatalogResponse | null {
    if (path === '/') {
      return { status: 200, type: 'text/html; charset=utf-8', body: renderHtml(this.inventory.snapshot(), { title: 'API inventory (live)', refreshSeconds: REFRESH_SECONDS }) };
    }
    if (path === '/api/inventory') return { status: 200, type: 'application/json', body: `${JSON.stringify(this.inventory.snapshot(), null, 2)}\n` };
    if (path === '/openapi.json') return { status: 200, type: 'application/json', body: `${JSON.stringify(toOpenApi(this.inventory.snapshot()), null, 2)}\n` };
    return null;
  }
}
