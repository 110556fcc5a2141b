import * as Comlink from 'comlink';
import type { Hierarchy } from '../graph/hierarchy/types.ts';
import type { GraphIR } from '../graph/ir.ts';
import { LayoutEngine } from '../layout/engine.ts';
import { hierarchyTransferCopy, sceneTransferList } from '../layout/transfer.ts';
import type { SceneLayout } from '../layout/types.ts';
import { registerIRTransfer } from './ir-transfer.ts';
import type { LayoutApi } from './layout-api.ts';

registerIRTransfer();

const engine = new LayoutEngine();

const api: LayoutApi = {
  async load(ir: GraphIR): Promise<Hierarchy> {
    const h = await engine.load(ir);
    // The engine keeps using its hierarchy, so the main thread gets a copy whose buffers can move.
    const copy = hierarchyTransferCopy(h);
    return Comlink.transfer(copy.hierarchy, copy.transfer);
  },
  async layout(expanded: Uint32Array): Promise<SceneLayout> {
    const scene = await engine.layout(expanded);
    return Comlink.transfer(scene, sceneTransferList(scene));
  },
};

Comlink.expose(api);
