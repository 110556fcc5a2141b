import type { GraphIR } from '../graph/ir.ts';
import type { DecodeOptions } from './decoder.ts';
import { NodeFileSource } from './io/node-file-source.ts';
import { openModelFile } from './registry.ts';

/**
 * Node-side convenience for tests and benches that only need the IR of a file on disk: opens it, decodes it,
 * closes it. Anything that asks the model more (details, analysis) opens a NodeFileSource and keeps the OpenModel.
 */
export async function decodeFile(path: string, options?: DecodeOptions): Promise<GraphIR> {
  const source = await NodeFileSource.open(path);
  try {
    const { model } = await openModelFile(source, options);
    if (model.source !== source) await model.source.close?.();
    return model.ir;
  } finally {
    await source.close();
  }
}
