import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import type { ModelDecoder, OpenModel } from '../../src/decode/decoder.ts';
import { str, type GraphIR } from '../../src/graph/ir.ts';
import { sharedModels } from './models.ts';

export const checkpointsReference = JSON.parse(
  readFileSync(resolve(sharedModels, 'checkpoints-reference.json'), 'utf8'),
) as Record<string, Record<string, unknown>>;
export const modelPath = (rel: string) => resolve(sharedModels, rel);

/** Opens a shared model file with a decoder, closing the file after `use`. */
export async function withModel<T>(
  decoder: ModelDecoder,
  rel: string,
  use: (m: OpenModel) => Promise<T> | T,
): Promise<T> {
  const source = await NodeFileSource.open(modelPath(rel));
  try {
    return await use(await decoder.open(source));
  } finally {
    await source.close();
  }
}

/** `producer op → consumer op` edges by node name, for asserting the drawn dataflow. */
export function edges(ir: GraphIR): Set<string> {
  const out = new Set<string>();
  for (let n = 0; n < ir.nodeCount; n++) {
    for (let k = ir.nodeInputOffsets[n]; k < ir.nodeInputOffsets[n + 1]; k++) {
      const v = ir.nodeInputs[k];
      const p = v >= 0 ? ir.valueProducer[v] : -1;
      if (p >= 0) out.add(`${str(ir, ir.nodeName[p])} -> ${str(ir, ir.nodeName[n])}`);
    }
  }
  return out;
}

export const valueNamed = (ir: GraphIR, name: string) => {
  for (let v = 0; v < ir.valueCount; v++) if (str(ir, ir.valueName[v]) === name) return v;
  throw new Error(`no value ${name}`);
};
