import type { GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { AttributeView, NodeDetails } from '../decoder.ts';
import { FlatReader } from './reader.ts';
import {
  ACTIVATIONS,
  BUILTIN_OPS,
  Model,
  Operator,
  OperatorCode,
  OPTIONS_BY_OP,
  PADDINGS,
  QUANTIZATION_DETAILS,
  Quantization,
  SubGraph,
  TENSOR_TYPE_NAMES,
  Tensor,
  tensorDtype,
  type OptionField,
} from './schema.ts';

const MAX_LIST = 8;
/** Pages kept per model (16 KiB each): selecting node after node stays bounded in memory. */
const MAX_PAGES = 256;

/**
 * Node details for one open model. Each operator's builtin options and the quantization of its tensors are
 * decoded from the file through a paged reader kept with the model, so selecting nodes one after another re-reads
 * little.
 */
export function tfliteNodeDetails(source: ByteSource, ir: GraphIR): (node: number) => Promise<NodeDetails> {
  let reader: FlatReader | null = null;
  const readerFor = () => {
    if (!reader || reader.segmentCount > MAX_PAGES) reader = new FlatReader(source.name, source.size, source);
    return reader;
  };
  return (node) => operatorDetails(readerFor(), ir, node);
}

/** The operator's table offset is its record (`nodeSourceOffset`); only the pages that hold it are read. */
async function operatorDetails(r: FlatReader, ir: GraphIR, node: number): Promise<NodeDetails> {
  const op = ir.nodeSourceOffset[node];
  const attributes: AttributeView[] = [];
  if (!(op >= 0)) return { attributes };
  await r.loadTable(op, 'Operator');
  const opName = ir.strings.at(ir.nodeOp[node]) ?? '';
  const code = BUILTIN_OPS.indexOf(opName);

  // Operator code version.
  await r.ensure(0, 4, 'root offset');
  const root = r.u32(0, 'root offset');
  await r.loadTable(root, 'Model');
  const opcodeIndex = r.scalarU32(op, Operator.opcodeIndex, 0, 'Operator.opcode_index');
  const codes = await r.loadVector(root, Model.operatorCodes, 4, 'Model.operator_codes');
  if (opcodeIndex < r.length) {
    const oc = r.tableAt(codes, opcodeIndex, 'Model.operator_codes');
    await r.loadTable(oc, 'OperatorCode');
    const version = r.scalarI32(oc, OperatorCode.version, 1, 'OperatorCode.version');
    if (version !== 1) attributes.push({ name: 'version', type: 'int32', value: String(version) });
  }

  // Builtin options.
  const optionsType = r.scalarU8(op, Operator.builtinOptionsType, 0, 'Operator.builtin_options_type');
  const options = optionsType ? await r.loadRef(op, Operator.builtinOptions, 4, 'Operator.builtin_options') : 0;
  if (options) {
    await r.loadTable(options, 'Operator.builtin_options');
    const layout = OPTIONS_BY_OP.get(code);
    if (layout && layout.type === optionsType) {
      for (let slot = 0; slot < layout.fields.length; slot++) {
        const view = await optionField(r, options, slot, layout.fields[slot]);
        if (view) attributes.push(view);
      }
    } else {
      attributes.push({ name: 'builtin_options_type', type: 'uint8', value: String(optionsType) });
    }
  }
  const custom = await r.loadRef(op, Operator.customOptions, 4, 'Operator.custom_options');
  if (custom)
    attributes.push({
      name: 'custom_options',
      type: 'bytes',
      value: `${r.u32(custom, 'Operator.custom_options')} bytes (flexbuffer)`,
    });

  // Quantization of the operator's tensors.
  const graph = ir.nodeGraph[node];
  const subgraphs = await r.loadVector(root, Model.subgraphs, 4, 'Model.subgraphs');
  if (graph < r.length) {
    const sg = r.tableAt(subgraphs, graph, 'Model.subgraphs');
    await r.loadTable(sg, 'SubGraph');
    const tensors = await r.loadVector(sg, SubGraph.tensors, 4, 'SubGraph.tensors');
    const tensorCount = r.length;
    for (const [slot, label] of [
      [Operator.inputs, 'input'],
      [Operator.outputs, 'output'],
    ] as const) {
      const vec = await r.loadVector(op, slot, 4, `Operator.${label}s`);
      const n = Math.min(r.length, 32);
      for (let k = 0; k < n; k++) {
        const idx = r.i32(vec + 4 * k, `Operator.${label}s`);
        if (idx < 0 || idx >= tensorCount) continue;
        const t = r.tableAt(tensors, idx, 'SubGraph.tensors');
        await r.loadTable(t, 'Tensor');
        const q = await quantization(r, t);
        if (q) attributes.push({ name: `${label} ${k} quantization`, type: 'quantization', value: q });
        const type = r.scalarI8(t, Tensor.type, 0, 'Tensor.type');
        if (tensorDtype(type) === 0)
          attributes.push({
            name: `${label} ${k} type`,
            type: 'TensorType',
            value: TENSOR_TYPE_NAMES[type] ?? String(type),
          });
      }
    }
  }
  return { attributes };
}

async function optionField(r: FlatReader, table: number, slot: number, f: OptionField): Promise<AttributeView | null> {
  const what = `options.${f.name}`;
  const p = r.field(table, slot, what);
  const def = f.default ?? 0;
  switch (f.kind) {
    case 'bool':
      return { name: f.name, type: 'bool', value: String((p ? r.u8(p, what) : def) !== 0) };
    case 'i8':
      return { name: f.name, type: 'int8', value: String(p ? r.i8(p, what) : def) };
    case 'i32':
      return { name: f.name, type: 'int32', value: String(p ? r.i32(p, what) : def) };
    case 'u32':
      return { name: f.name, type: 'uint32', value: String(p ? r.u32(p, what) : def) };
    case 'i64':
      return { name: f.name, type: 'int64', value: String(p ? r.i64(p, what) : def) };
    case 'f32':
      return { name: f.name, type: 'float32', value: formatFloat(p ? r.f32(p, what) : def) };
    case 'activation': {
      const v = p ? r.i8(p, what) : def;
      return { name: f.name, type: 'ActivationFunctionType', value: ACTIVATIONS[v] ?? String(v) };
    }
    case 'padding': {
      const v = p ? r.i8(p, what) : def;
      return { name: f.name, type: 'Padding', value: PADDINGS[v] ?? String(v) };
    }
    case 'tensorType': {
      if (!p) return null;
      const v = r.i8(p, what);
      return { name: f.name, type: 'TensorType', value: TENSOR_TYPE_NAMES[v] ?? String(v) };
    }
    case 'enum': {
      const v = p ? r.i8(p, what) : def;
      return { name: f.name, type: 'enum', value: f.values?.[v] ?? String(v) };
    }
    case 'i32[]': {
      const vec = await r.loadVector(table, slot, 4, what);
      if (!vec) return null;
      const n = r.length;
      const shown: string[] = [];
      for (let k = 0; k < Math.min(n, MAX_LIST * 4); k++) shown.push(String(r.i32(vec + 4 * k, what)));
      return { name: f.name, type: 'int32[]', value: `[${shown.join(', ')}${n > shown.length ? ', …' : ''}]` };
    }
  }
}

/** "scale=…, zero_point=…" (with the axis and count for per-channel quantization), or '' when not quantized. */
async function quantization(r: FlatReader, tensor: number): Promise<string> {
  const q = await r.loadRef(tensor, Tensor.quantization, 4, 'Tensor.quantization');
  if (!q) return '';
  await r.loadTable(q, 'QuantizationParameters');
  const parts: string[] = [];
  const floats = async (slot: number, label: string) => {
    const vec = await r.loadVector(q, slot, 4, `Quantization.${label}`);
    const n = r.length;
    if (!n) return 0;
    const shown: string[] = [];
    for (let k = 0; k < Math.min(n, MAX_LIST); k++)
      shown.push(formatFloat(r.f32(vec + 4 * k, `Quantization.${label}`)));
    parts.push(`${label}=${n === 1 ? shown[0] : `[${shown.join(', ')}${n > MAX_LIST ? ', …' : ''}]`}`);
    return n;
  };
  const scales = await floats(Quantization.scale, 'scale');
  const zvec = await r.loadVector(q, Quantization.zeroPoint, 8, 'Quantization.zero_point');
  const zn = r.length;
  if (zn) {
    const shown: string[] = [];
    for (let k = 0; k < Math.min(zn, MAX_LIST); k++) shown.push(String(r.i64(zvec + 8 * k, 'Quantization.zero_point')));
    parts.push(`zero_point=${zn === 1 ? shown[0] : `[${shown.join(', ')}${zn > MAX_LIST ? ', …' : ''}]`}`);
  }
  await floats(Quantization.min, 'min');
  await floats(Quantization.max, 'max');
  if (scales > 1)
    parts.push(`axis=${r.scalarI32(q, Quantization.quantizedDimension, 0, 'Quantization.quantized_dimension')}`);
  const details = r.scalarU8(q, Quantization.detailsType, 0, 'Quantization.details_type');
  if (details) parts.push(`details=${QUANTIZATION_DETAILS[details] ?? details}`);
  return parts.join(', ');
}

function formatFloat(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(7)));
}
