import type { GraphIR } from '../graph/ir.ts';
import type { Hierarchy } from '../graph/hierarchy/types.ts';
import type { SceneLayout } from '../layout/types.ts';

/** The layout worker's comlink surface. The same object runs in Node (tests, benches) without a worker. */
export interface LayoutApi {
  /** Builds the group tree for a model; must be called before layout(). */
  load(ir: GraphIR): Promise<Hierarchy>;
  /** Lays out the view where exactly the listed groups are expanded (the root is always expanded). */
  layout(expanded: Uint32Array): Promise<SceneLayout>;
}
