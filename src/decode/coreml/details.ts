import { dtypeName, type GraphIR } from '../../graph/ir.ts';
import type { AttributeView, NodeDetails } from '../decoder.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { WireStream } from '../protobuf/wire-stream.ts';
import { type MilConstRecords, constOperationValue, operationArguments } from './mil.ts';
import { ML_PROGRAM, layer } from './model.ts';
import { LAYER, MODEL_TYPES, PARAM_NAMES } from './schema.ts';

const MAX_ATTRIBUTES = 256;

/**
 * A layer's parameters (or an ML Program operation's arguments) and weight locations, streamed from its record:
 * a layer record holds its weights, which are stepped over, not read.
 */
export async function coremlNodeDetails(
  source: ByteSource,
  ir: GraphIR,
  node: number,
  consts: MilConstRecords = new Map(),
): Promise<NodeDetails> {
  const offset = ir.nodeSourceOffset[node];
  const length = ir.nodeSourceLength[node];
  if (!(offset >= 0) || length <= 0) return { attributes: [] };
  const r = new WireStream(source);
  r.pos = offset;
  if (ir.metadata.modelType === MODEL_TYPES[ML_PROGRAM]) {
    const args = (await operationArguments(r.at('Operation'), offset + length)).slice(0, MAX_ATTRIBUTES);
    return { attributes: await withConstValues(source, args, consts) };
  }
  const l = await layer(r.at('NeuralNetworkLayer'), offset + length, 0, true);
  const names = PARAM_NAMES[l.typeField] ?? {};
  const attributes: AttributeView[] = [];
  if (l.typeField === LAYER.activation) {
    for (const k of l.params.keys())
      attributes.push({ name: 'activation', type: 'oneof', value: names[k] ?? `activation_${k}` });
  } else {
    for (const [k, v] of l.params) {
      if (attributes.length >= MAX_ATTRIBUTES) break;
      const a = showParam(names[k] ?? `field_${k}`, v);
      // PoolingLayerParams.PoolingType: MAX = 0, AVERAGE = 1, L2 = 2.
      if (l.typeField === LAYER.pooling && k === 1) a.value = ['MAX', 'AVERAGE', 'L2'][Number(a.value)] ?? a.value;
      attributes.push(a);
    }
  }
  for (const w of l.weights)
    attributes.push({ name: w.name, type: 'tensor', value: `${dtypeName(w.dtype)}[${w.count}] at offset ${w.offset}` });
  return { attributes };
}

function showParam(name: string, v: number[] | string): AttributeView {
  if (typeof v === 'string') return { name, type: v ? 'message' : 'oneof', value: v || 'set' };
  if (!v.length) return { name, type: 'list', value: '[]' };
  const float = v.some((x) => !Number.isInteger(x));
  return {
    name,
    type: float ? 'float' : 'int',
    value: v.length === 1 ? String(v[0]) : `[${v.slice(0, 16).join(', ')}${v.length > 16 ? ', …' : ''}]`,
  };
}

/**
 * Arguments bound to a small inline `const` show its value (`strides = [2, 2]`, `pad_type = "custom"`) instead of
 * the const's variable name: MIL binds even scalars through named consts. Each const record is a few bytes, re-read
 * by range; an argument bound to anything else (an op's output, a weight in a blob file) keeps its name.
 */
async function withConstValues(
  source: ByteSource,
  args: AttributeView[],
  consts: MilConstRecords,
): Promise<AttributeView[]> {
  const out: AttributeView[] = [];
  for (const a of args) {
    const at = a.type === 'input' ? consts.get(a.value) : undefined;
    if (!at) {
      // One bound name (variadic arguments list several): it names that input's role.
      out.push(a.type === 'input' && !a.value.includes(', ') ? { ...a, binding: a.value } : a);
      continue;
    }
    const r = new WireStream(source);
    r.pos = at.offset;
    const value = await constOperationValue(r.at(`const ${a.value}`), at.offset + at.length);
    out.push(value ? { name: a.name, type: 'constant', value, binding: a.value } : a);
  }
  return out;
}
