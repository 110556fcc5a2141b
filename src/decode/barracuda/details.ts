import type { GraphIR } from '../../graph/ir.ts';
import type { AttributeView, NodeDetails } from '../decoder.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { BinaryCursor } from './reader.ts';
import { ACTIVATION, activationName, readLayer, typeName } from './schema.ts';

/** A layer's fused activation and its pad/stride/pool, axis, alpha and beta, re-read from its record. */
export async function barracudaNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  const offset = ir.nodeSourceOffset[node];
  if (!(offset >= 0)) return { attributes: [] };
  const r = new BinaryCursor(source, () => 'layer');
  r.pos = offset;
  const l = await readLayer(r);
  const attributes: AttributeView[] = [];
  const list = (name: string, v: number[]) =>
    v.length && attributes.push({ name, type: 'int[]', value: `[${v.join(', ')}]` });
  // A standalone Activation layer is drawn as its function: name the layer type and the function it applies.
  if (l.type === ACTIVATION) attributes.push({ name: 'layer', type: 'enum', value: typeName(l.type) });
  if (l.type === ACTIVATION || l.activation)
    attributes.push({ name: 'activation', type: 'enum', value: activationName(l.activation) });
  list('pad', l.pad);
  list('stride', l.stride);
  list('pool', l.pool);
  if (l.axis !== -1) attributes.push({ name: 'axis', type: 'int', value: String(l.axis) });
  if (l.alpha !== 1) attributes.push({ name: 'alpha', type: 'float', value: String(l.alpha) });
  if (l.beta !== 0) attributes.push({ name: 'beta', type: 'float', value: String(l.beta) });
  return { attributes };
}
