import { ValueFlag, dtypeName, type GraphIR } from '../../graph/ir.ts';
import { ggmlEncodingName } from '../ggml/types.ts';

/** Initializers per stored type: IR dtype names, ggml block types (Q4_K…) for quantized GGUF tensors. */
export function storedTypeHistogram(ir: GraphIR): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let v = 0; v < ir.valueCount; v++) {
    if (!(ir.valueFlags[v] & ValueFlag.Initializer)) continue;
    const key = ggmlEncodingName(ir.valueDataEncoding[v]) ?? dtypeName(ir.valueDtype[v]);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
