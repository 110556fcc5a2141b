import * as Comlink from 'comlink';
import type { GraphIR } from '../graph/ir.ts';
import type { DecodeApi, ModelInput } from '../decode/api.ts';
import { DecodeService, typedArrayBuffers } from '../decode/service.ts';
import { analyzeModel } from '../profile/analyze.ts';
import { handOver, registerIRTransfer } from './ir-transfer.ts';

registerIRTransfer();

const service = new DecodeService(analyzeModel);

const api: DecodeApi = {
  async open(input: ModelInput, progress?: (read: number, total: number) => void): Promise<GraphIR> {
    let last = 0;
    // Progress crosses threads; throttle it to a few updates a second.
    const throttled = progress && ((read: number, total: number) => {
      const now = performance.now();
      if (now - last > 100 || read >= total) {
        last = now;
        void progress(read, total);
      }
    });
    return handOver(await service.open(input, throttled));
  },
  cancel: () => service.cancel(),
  nodeDetails: (node) => service.nodeDetails(node),
  tensorPreview: (value) => service.tensorPreview(value),
  async boxRows(fold) {
    const r = await service.boxRows(fold);
    return Comlink.transfer(r, typedArrayBuffers(r));
  },
  async analyze(dims) {
    const r = await service.analyze(dims);
    return Comlink.transfer(r, typedArrayBuffers(r.metrics));
  },
};

Comlink.expose(api);
