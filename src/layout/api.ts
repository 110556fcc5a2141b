import type { GraphIR } from '../graph/ir.ts';
import type { Hierarchy } from '../graph/hierarchy/types.ts';
import type { ViewLayout } from './types.ts';

/**
 * What the layout worker offers, implemented by `LayoutEngine`; `workers/layout.worker.ts` only exposes it over
 * comlink. The same object runs in Node (tests, benches) without a worker.
 */
export interface LayoutApi {
  /**
   * Builds the hierarchy (the group tree: scopes, structural cuts, chunks) for a model and keeps it for the
   * layouts that follow. Grouping runs here, next to the layout, because every layout reads it.
   */
  group(ir: GraphIR): Promise<Hierarchy>;
  /**
   * Lays out the view where exactly the listed groups are expanded (the root is always expanded). `elkBudgetMs`
   * overrides the engine's ELK time for this call (the opening view spends less, so the first frame stays fast).
   */
  layout(expanded: Uint32Array, elkBudgetMs?: number): Promise<ViewLayout>;
}
