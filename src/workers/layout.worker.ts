import * as Comlink from 'comlink';
import type { Hierarchy } from '../graph/hierarchy/types.ts';
import type { GraphIR } from '../graph/ir.ts';
import { LayoutEngine } from '../layout/engine.ts';
import { hierarchyTransferCopy, viewLayoutTransferList } from '../layout/transfer.ts';
import type { ViewLayout } from '../layout/types.ts';
import { registerIRTransfer } from './ir-transfer.ts';
import type { LayoutApi, NodeBoxes } from '../layout/api.ts';

registerIRTransfer();

const engine = new LayoutEngine();

const api: LayoutApi = {
  async group(ir: GraphIR, boxes?: NodeBoxes): Promise<Hierarchy> {
    const h = await engine.group(ir, boxes);
    // The engine keeps using its hierarchy, so the main thread gets a copy whose buffers can move.
    const copy = hierarchyTransferCopy(h);
    return Comlink.transfer(copy.hierarchy, copy.transfer);
  },
  async layout(expanded: Uint32Array, elkBudgetMs?: number): Promise<ViewLayout> {
    const view = await engine.layout(expanded, elkBudgetMs);
    return Comlink.transfer(view, viewLayoutTransferList(view));
  },
};

Comlink.expose(api);
