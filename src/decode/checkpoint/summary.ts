import { elementCount, type StoredTensor } from './stored-tensor.ts';
import { storedTypeName, typeHistogram } from './type-histogram.ts';

const fmt = (n: number) => n.toLocaleString('en-US');

export function bitsPerWeight(byteLength: number, elements: number): number {
  return elements > 0 ? (byteLength * 8) / elements : 0;
}

/** Model facts every weights-only format reports: counts, types, bytes and bits per weight, optimizer state apart. */
export function summarizeTensors(tensors: readonly StoredTensor[]): Record<string, string> {
  const model = tensors.filter((t) => !t.optimizer);
  const optimizer = tensors.filter((t) => t.optimizer);
  const out: Record<string, string> = {};
  const describe = (list: readonly StoredTensor[]) => {
    let elements = 0;
    let bytes = 0;
    for (const t of list) {
      elements += elementCount(t.shape);
      bytes += t.byteLength;
    }
    return { elements, bytes };
  };
  const m = describe(model);
  out['tensors'] = fmt(model.length);
  out['parameters'] = fmt(m.elements);
  if (m.bytes > 0) {
    out['stored bytes'] = fmt(m.bytes);
    out['bits per weight'] = bitsPerWeight(m.bytes, m.elements).toFixed(2);
  }
  const types = Object.entries(typeHistogram(model.map((t) => storedTypeName(t.dtype, t.encoding))))
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ');
  if (types) out['tensor types'] = types;
  if (optimizer.length) {
    const o = describe(optimizer);
    out['optimizer tensors'] =
      `${fmt(optimizer.length)} (${fmt(o.elements)} elements, ${fmt(o.bytes)} bytes), listed under their own group`;
  }
  return out;
}
