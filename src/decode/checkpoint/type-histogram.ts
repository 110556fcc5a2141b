import { ValueFlag, dtypeName, type GraphIR } from '../../graph/ir.ts';
import { ggmlEncodingName } from '../ggml/types.ts';

/**
 * The one naming of stored types, whatever the format: IR dtype names (`float16`), ggml block types (`Q4_K`) for
 * quantized GGUF tensors. `strata inspect` and the checkpoint metadata line both count with it.
 */
export function storedTypeName(dtype: number, encoding: number): string {
  return ggmlEncodingName(encoding) ?? dtypeName(dtype);
}

/** Type name → count, most common first (ties by name). */
export function typeHistogram(names: Iterable<string>): Record<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

/** Initializers per stored type, for any format. */
export function storedTypeHistogram(ir: GraphIR): Record<string, number> {
  const names: string[] = [];
  for (let v = 0; v < ir.valueCount; v++) {
    if (ir.valueFlags[v] & ValueFlag.Initializer) names.push(storedTypeName(ir.valueDtype[v], ir.valueDataEncoding[v]));
  }
  return typeHistogram(names);
}
