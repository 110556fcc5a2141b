import type { GraphIR } from '../graph/ir.ts';
import { NodeFileSource } from './node-file-source.ts';
import { decode } from './registry.ts';
import type { DecodeOptions } from './registry-types.ts';

/** Node-side convenience: decode a model file by path (CLI, tests, benches). */
export async function decodeFile(path: string, options?: DecodeOptions): Promise<GraphIR> {
  const source = await NodeFileSource.open(path);
  try {
    return (await decode(source, options)).ir;
  } finally {
    await source.close();
  }
}
