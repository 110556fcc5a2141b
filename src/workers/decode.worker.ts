import * as Comlink from 'comlink';
import type { GraphIR } from '../graph/ir.ts';
import { inputName, type DecodeApi, type DecodeChannel, type ModelInput, type OpenPlan } from '../decode/api.ts';
import { DecodeService } from '../decode/service.ts';
import { markOpen } from '../decode/io/open-marks.ts';
import { preloadDecoderFor } from '../decode/registry.ts';
import type { DiffApi } from '../diff/api.ts';
import { diffModels } from '../diff/diff-lazy.ts';
import { columnBuffers } from '../graph/column-buffers.ts';
import { allocateColumnsShared } from '../graph/column-memory.ts';
import type { LayoutFeed, NodeBoxes } from '../layout/api.ts';
import { epochNow } from '../layout/open-view.ts';
import { analyzeModel } from '../profile/analyze-lazy.ts';
import { handOver, registerIRTransfer } from './ir-transfer.ts';
import { releaseGarbageSoon } from './release-garbage.ts';

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
async function openThenFeed(open: () => Promise<void>, plan: OpenPlan | undefined): Promise<GraphIR> {
  // One copy of the columns for all three threads, where the page may share memory (cross-origin isolated): the
  // decoder writes them there, and shareColumns moves what it did not.
  const isolated = globalThis.crossOriginIsolated === true;
  allocateColumnsShared(isolated);
  try {
    await open();
  } finally {
    allocateColumnsShared(false);
  }
  if (isolated) service.shareColumns();
  if (plan) await feedLayout(plan);
  // Copied only now, after the layout worker's copy has gone: the page's copy is not on the first view's path.
  const copy = handOver(service.irCopy());
  // The decode's garbage (read buffers, build temporaries, the packed copies) once both copies are sent.
  releaseGarbageSoon(copy.nodeCount);
  return copy;
}

/**
 * Sends the open model to the layout worker as soon as its box row counts are known; the rows' text is built
 * after that, for the page's `boxRows` call. Resolves once sent, or once the rows failed (the layout worker is
 * told; the page's own `boxRows` call reports the error).
 */
function feedLayout(plan: OpenPlan): Promise<void> {
  const feed = layoutFeed;
  if (!feed) return Promise.reject(new Error('the decode worker has no channel to the layout worker'));
  const decoded = epochNow();
  markOpen('strata:decode-done');
  return new Promise<void>((resolve) => {
    let sent = false;
    const send = (folded: Uint8Array, rows: Uint16Array) => {
      sent = true;
      const ir = handOver(service.layoutCopy());
      const boxes: NodeBoxes = { folded: folded.slice(), rows };
      const transfer = [boxes.folded?.buffer, rows.buffer].filter((b) => b instanceof ArrayBuffer);
      // Posted (the IR's buffers transferred) synchronously by this call; its reply is not waited for.
      void feed.openModel(ir, Comlink.transfer(boxes, transfer), plan, { decoded, boxRows: epochNow() });
      resolve();
    };
    const failed = (err: unknown) => {
      if (!sent) void feed.failOpen(plan.ticket, err instanceof Error ? err.message : String(err));
      resolve();
    };
    service
      .firstBoxRows(plan.fold, send)
      .then(() => failed(new Error('the box rows ended without their counts')), failed);
  });
}

const api: DecodeApi & DiffApi & DecodeChannel = {
  connectLayout(port: MessagePort): void {
    layoutFeed?.[Comlink.releaseProxy]();
    layoutFeed = Comlink.wrap<LayoutFeed>(port);
  },
  open(input: ModelInput, progress?: Progress, plan?: OpenPlan): Promise<GraphIR> {
    preloadDecoderFor(inputName(input));
    return openThenFeed(() => service.load(input, progress && throttle(progress)), plan);
  },
  openComparison(input: ModelInput, progress?: Progress, plan?: OpenPlan): Promise<GraphIR> {
    preloadDecoderFor(inputName(input));
    return openThenFeed(() => service.loadComparison(input, progress && throttle(progress)), plan);
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
    // Building the rows' text left garbage of its own.
    releaseGarbageSoon(r.folded.length);
    return Comlink.transfer(r, columnBuffers(r));
  },
  async analyze(dims) {
    const r = await service.analyze(dims);
    // Shape inference over every node leaves as much garbage as the decode did (1M nodes: 190 MB of buffers).
    releaseGarbageSoon(r.metrics.unknownCost.length);
    // Both are made for this reply and kept nowhere here: moved, not copied (1M nodes: 50 MB of shapes).
    return Comlink.transfer(r, [...new Set([...columnBuffers(r.metrics), ...columnBuffers(r.shapes)])]);
  },
};

Comlink.expose(api);
