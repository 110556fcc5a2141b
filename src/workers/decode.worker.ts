import * as Comlink from 'comlink';
import type { GraphIR } from '../graph/ir.ts';
import type { DecodeApi, DecodeChannel, ModelInput, OpenPlan } from '../decode/api.ts';
import { DecodeService } from '../decode/service.ts';
import type { DiffApi } from '../diff/api.ts';
import { diffModels } from '../diff/diff.ts';
import { columnBuffers } from '../graph/column-buffers.ts';
import type { LayoutFeed } from '../layout/api.ts';
import { nodeBoxesFor } from '../layout/node-boxes.ts';
import { epochNow } from '../layout/open-view.ts';
import { analyzeModel } from '../profile/analyze.ts';
import { handOver, registerIRTransfer } from './ir-transfer.ts';

registerIRTransfer();

const service = new DecodeService(analyzeModel);

/** The layout worker's end of the channel the page set up between the two workers. */
let layoutFeed: Comlink.Remote<LayoutFeed> | null = null;

type Progress = (read: number, total: number) => void;

/** Progress crosses threads; throttle it to a few updates a second. */
function throttle(progress: Progress): Progress {
  let last = 0;
  return (read, total) => {
    const now = performance.now();
    if (now - last > 100 || read >= total) {
      last = now;
      void progress(read, total);
    }
  };
}

/**
 * Decodes (through `open`), then, with a plan, sends the model and its box row counts to the layout worker
 * before the page's copy goes out: the layout is the longer road to the first frame, and the page is usually
 * still busy starting its renderer.
 */
async function openThenFeed(open: () => Promise<GraphIR>, plan: OpenPlan | undefined): Promise<GraphIR> {
  const ir = await open();
  if (plan) await feedLayout(plan);
  return handOver(ir);
}

async function feedLayout(plan: OpenPlan): Promise<void> {
  const feed = layoutFeed;
  if (!feed) throw new Error('the decode worker has no channel to the layout worker');
  const decoded = epochNow();
  let boxes: ReturnType<typeof nodeBoxesFor>;
  try {
    boxes = nodeBoxesFor(await service.firstBoxRows(plan.fold));
  } catch (err) {
    // The page hears of it from its own boxRows call too; the layout worker must not wait for a model forever.
    void feed.failOpen(plan.ticket, err instanceof Error ? err.message : String(err));
    return;
  }
  const ir = handOver(service.irCopy());
  const marks = { decoded, boxRows: epochNow() };
  // Posted (the IR's buffers transferred) synchronously by this call; its reply is not waited for.
  void feed.openModel(ir, Comlink.transfer(boxes, transferList(boxes)), plan, marks);
}

function transferList(boxes: ReturnType<typeof nodeBoxesFor>): ArrayBuffer[] {
  return [boxes.folded, boxes.rows].flatMap((a) => (a && a.buffer instanceof ArrayBuffer ? [a.buffer] : []));
}

const api: DecodeApi & DiffApi & DecodeChannel = {
  connectLayout(port: MessagePort): void {
    layoutFeed?.[Comlink.releaseProxy]();
    layoutFeed = Comlink.wrap<LayoutFeed>(port);
  },
  open(input: ModelInput, progress?: Progress, plan?: OpenPlan): Promise<GraphIR> {
    return openThenFeed(() => service.open(input, progress && throttle(progress)), plan);
  },
  openComparison(input: ModelInput, progress?: Progress, plan?: OpenPlan): Promise<GraphIR> {
    return openThenFeed(() => service.openComparison(input, progress && throttle(progress)), plan);
  },
  baselineNodeDetails: (node) => service.baselineNodeDetails(node),
  async compare(options) {
    const { a, b } = service.requirePair();
    const diff = await diffModels(a, b, options);
    return Comlink.transfer(diff, columnBuffers(diff));
  },
  cancel: () => service.cancel(),
  nodeDetails: (node) => service.nodeDetails(node),
  tensorPreview: (value) => service.tensorPreview(value),
  async boxRows(fold) {
    const r = await service.boxRows(fold);
    return Comlink.transfer(r, columnBuffers(r));
  },
  async analyze(dims) {
    const r = await service.analyze(dims);
    return Comlink.transfer(r, columnBuffers(r.metrics));
  },
};

Comlink.expose(api);
