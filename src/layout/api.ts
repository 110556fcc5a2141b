import type { GraphIR } from '../graph/ir.ts';
import type { Hierarchy } from '../graph/hierarchy/types.ts';
import type { ViewLayout } from './types.ts';

/**
 * What the page decided about operator boxes before layout: which nodes are folded into their consumers (no box,
 * see graph/fold.ts) and how many rows each box lists (its height). Null fields mean "none".
 */
export interface NodeBoxes {
  folded: Uint8Array | null;
  rows: Uint16Array | null;
}

/**
 * What the layout worker offers, implemented by `LayoutEngine`; `workers/layout.worker.ts` only exposes it over
 * comlink. The same object runs in Node (tests, benches) without a worker.
 */
export interface LayoutApi {
  /**
   * Builds the hierarchy (the group tree: scopes, structural cuts, chunks) for a model and keeps it for the
   * layouts that follow. Grouping runs here, next to the layout, because every layout reads it.
   */
  group(ir: GraphIR, boxes?: NodeBoxes): Promise<Hierarchy>;
  /**
   * Lays out the view where exactly the listed groups are expanded (the root is always expanded). `elkBudgetMs`
   * overrides the engine's ELK time for this call (the opening view spends less, so the first frame stays fast).
   */
  layout(expanded: Uint32Array, elkBudgetMs?: number): Promise<ViewLayout>;
}
