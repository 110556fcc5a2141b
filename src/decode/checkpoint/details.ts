import type { AttributeView, NodeDetails } from '../decoder.ts';
import type { NodeOrigin } from './build-ir.ts';
import { bitsPerWeight } from './summary.ts';
import { elementCount, type StoredTensor } from './stored-tensor.ts';

const fmt = (n: number) => n.toLocaleString('en-US');

/** What the properties panel shows for a checkpoint node: each tensor's stored type, size and bits per weight. */
export function checkpointNodeDetails(origin: NodeOrigin | undefined, tensors: readonly StoredTensor[]): NodeDetails {
  if (!origin) return { attributes: [] };
  if (origin.kind === 'operator') {
    return {
      attributes: [],
      doc: `Implied by the ${origin.architecture} block structure; the file stores weights only, not this operation.`,
    };
  }
  const attributes: AttributeView[] = [{ name: 'module', type: 'path', value: origin.module.path }];
  for (const i of origin.module.tensors) {
    const t = tensors[i];
    const elements = elementCount(t.shape);
    const shape = t.shape ? `[${t.shape.join(', ')}]` : '[shape unknown]';
    const parts = [`${t.storedType}${shape}`, `${fmt(elements)} elements`];
    if (t.byteLength > 0)
      parts.push(`${fmt(t.byteLength)} bytes`, `${bitsPerWeight(t.byteLength, elements).toFixed(2)} bits/weight`);
    if (t.location) parts.push(`in ${t.location}`);
    attributes.push({ name: t.name, type: 'tensor', value: parts.join(' · ') });
  }
  return { attributes };
}
