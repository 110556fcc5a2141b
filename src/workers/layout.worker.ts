import * as Comlink from 'comlink';
import type { Hierarchy } from '../graph/hierarchy/types.ts';
import type { GraphIR } from '../graph/ir.ts';
import type { LayoutFeed, LayoutWorkerApi, NodeBoxes, OpenedView } from '../layout/api.ts';
import { LayoutEngine } from '../layout/engine.ts';
import { OpenViews } from '../layout/open-view.ts';
import { hierarchyTransferCopy, viewLayoutTransferList } from '../layout/transfer.ts';
import type { ViewLayout } from '../layout/types.ts';
import { registerIRTransfer } from './ir-transfer.ts';
import { releaseGarbageSoon } from './release-garbage.ts';

registerIRTransfer();

const engine = new LayoutEngine();
const views = new OpenViews(engine);

/** What the decode worker calls over the channel: models it decoded, on their way to their first view. */
const feed: LayoutFeed = {
  async openModel(ir, boxes, plan, marks) {
    // Accepted at once; the decode worker does not wait for the layout.
    void views.deliver(ir, boxes, plan, marks);
  },
  async failOpen(ticket, message) {
    views.fail(ticket, message);
  },
};

const api: LayoutWorkerApi = {
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
  connectDecode(port: MessagePort): void {
    Comlink.expose(feed, port);
  },
  async openedView(ticket, progress): Promise<OpenedView> {
    const view = await views.opened(ticket, progress);
    const copy = hierarchyTransferCopy(view.hierarchy);
    const transfer = [...copy.transfer, ...viewLayoutTransferList(view.layout), view.expanded.buffer];
    // Grouping and laying out the model are over, and this sends their results away.
    releaseGarbageSoon(view.hierarchy.nodeGroup.length);
    return Comlink.transfer({ ...view, hierarchy: copy.hierarchy }, transfer);
  },
  async warmUp(): Promise<void> {
    engine.warmUpSoon();
  },
};

Comlink.expose(api);
