import * as Comlink from 'comlink';
import type { GraphIR } from '../graph/ir.ts';
import type { DecodeApi, ModelInput } from '../decode/api.ts';
import { DecodeService } from '../decode/service.ts';
import type { DiffApi } from '../diff/api.ts';
import { diffModels } from '../diff/diff-lazy.ts';
import { columnBuffers } from '../graph/column-buffers.ts';
import { analyzeModel } from '../profile/analyze-lazy.ts';
import { handOver, registerIRTransfer } from './ir-transfer.ts';

registerIRTransfer();

const service = new DecodeService(analyzeModel);

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

const api: DecodeApi & DiffApi = {
  async open(input: ModelInput, progress?: Progress): Promise<GraphIR> {
    return handOver(await service.open(input, progress && throttle(progress)));
  },
  async openComparison(input: ModelInput, progress?: Progress): Promise<GraphIR> {
    return handOver(await service.openComparison(input, progress && throttle(progress)));
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
