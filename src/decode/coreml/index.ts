import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, dtypeName, type GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';
import { WireStream } from '../protobuf/wire-stream.ts';
import type { AttributeView, DecodeOptions, ModelDecoder, NodeDetails } from '../decoder.ts';
import { operationArguments, type MilBlock, type MilFunction, type MilPayload } from './mil.ts';
import { ML_PROGRAM, layer, model, type CmFeature, type CmLayer, type CmModel } from './model.ts';
import { resolveBlobs } from './weight-blob.ts';
import { LAYER, LAYER_TYPES, MODEL_TYPES, NN_MODELS, PARAM_NAMES, PIPELINE_MODELS } from './schema.ts';

/**
 * Apple Core ML `.mlmodel` (protobuf Model). Neural networks (plain, classifier, regressor) become one node per
 * layer, named by the layer oneof's field; branch/loop layers own their networks as sub-graphs. Pipelines are
 * flattened into one graph (their models connect by feature name). ML Programs become one node per operation, with
 * `const` operations as constants and nested blocks as sub-graphs; the main function is the main graph, any other
 * function a function graph. Any other model kind is one node from its inputs to its outputs. Weights (WeightParams
 * payloads, inline MIL tensors, blob-file entries of an `.mlpackage`) are recorded by offset, never read.
 */

const MAX_ATTRIBUTES = 256;

function layerType(field: number): string {
  return LAYER_TYPES[field] ?? (field >= 0 ? `layer_${field}` : '(no layer type)');
}

function weightShape(l: CmLayer, name: string, count: number): number[] {
  const p = (k: number) => {
    const v = l.params.get(k);
    return Array.isArray(v) ? v : [];
  };
  const fits = (dims: number[]) => dims.length > 0 && dims.every((d) => d > 0) && dims.reduce((a, b) => a * b, 1) === count;
  let dims: number[] = [];
  if (l.typeField === LAYER.convolution && name === 'weights') dims = [p(1)[0], p(2)[0], ...(p(20).length === 2 ? p(20) : [3, 3])];
  else if ((l.typeField === LAYER.innerProduct || l.typeField === LAYER.embedding) && name === 'weights') dims = [p(2)[0], p(1)[0]];
  return fits(dims) ? dims : [count];
}

function build(m: CmModel, file: string, options: DecodeOptions, blobs: Map<MilPayload, MilPayload | null>): GraphIR {
  const b = new GraphBuilder('coreml');
  b.beginGraph('main', GraphKind.Main);
  if (m.specificationVersion >= 0) b.metadata.specificationVersion = String(m.specificationVersion);
  b.metadata.modelType = MODEL_TYPES[m.typeField] ?? (m.typeField >= 0 ? `model_${m.typeField}` : 'none');
  Object.assign(b.metadata, m.metadata);
  const produced = new Set<number>();

  const typed = (graph: number, f: CmFeature): number => {
    const v = b.value(graph, f.name);
    if (!b.hasShape(v)) b.setValueType(v, f.dtype, f.dims);
    return v;
  };
  const produce = (v: number, name: string, where: string) => {
    if (produced.has(v)) throw new DecodeError(`"${name}" is produced twice (again by ${where})`, file, where);
    produced.add(v);
  };

  const addLayers = (graph: number, layers: CmLayer[], path: string) => {
    layers.forEach((l, i) => {
      options.checkCancelled?.();
      const where = `${path}.layers[${i}]`;
      const ins = l.inputs.map((n) => b.value(graph, n));
      for (const w of l.weights) {
        const v = b.value(graph, `${l.name}.${w.name}`);
        if (b.flags(v) & ValueFlag.Initializer) continue;
        b.setValueType(v, w.dtype, weightShape(l, w.name, w.count));
        b.addFlags(v, ValueFlag.Initializer);
        b.setValueData(v, w.offset, w.length);
        ins.push(v);
      }
      const outs = l.outputs.map((n) => {
        const v = b.value(graph, n);
        produce(v, n, where);
        return v;
      });
      const subs = l.subnets.map((s) => {
        const g = b.beginGraph(`${l.name}.${s.name}`, GraphKind.Subgraph, graph);
        addLayers(g, s.layers, `${where}.${s.name}`);
        return g;
      });
      const node = b.addNode(graph, l.name, layerType(l.typeField), ins, outs, l.offset, l.length);
      for (const g of subs) b.setGraphParent(g, node);
    });
  };

  const addBlock = (graph: number, block: MilBlock, path: string) => {
    for (const v of block.inputs) {
      const value = b.value(graph, v.name);
      b.setValueType(value, v.dtype, v.dims);
      b.addGraphInput(graph, value);
      produced.add(value);
    }
    block.ops.forEach((op, i) => {
      options.checkCancelled?.();
      const where = `${path}.operations[${i}]`;
      if (op.type === 'const' && op.outputs.length === 1) {
        const out = op.outputs[0];
        const v = b.value(graph, out.name);
        produce(v, out.name, where);
        b.setValueType(v, out.dtype, out.dims);
        b.addFlags(v, ValueFlag.Initializer);
        const at = op.payload && (op.payload.file ? blobs.get(op.payload) : op.payload);
        if (at) b.setValueData(v, at.offset, at.length, 0, at.file);
        return;
      }
      const ins = op.inputs.map((n) => b.value(graph, n));
      const outs = op.outputs.map((o) => {
        const v = b.value(graph, o.name);
        produce(v, o.name, where);
        b.setValueType(v, o.dtype, o.dims);
        return v;
      });
      const name = op.outputs[0]?.name || `${op.type}_${i}`;
      const subs = op.blocks.map((blk, bi) => {
        const g = b.beginGraph(`${name}.block${bi}`, GraphKind.Subgraph, graph);
        addBlock(g, blk, `${where}.blocks[${bi}]`);
        return g;
      });
      const node = b.addNode(graph, name, op.type || '(no type)', ins, outs, op.offset, op.length);
      for (const g of subs) b.setGraphParent(g, node);
    });
    for (const name of block.outputs) b.addGraphOutput(graph, b.value(graph, name));
  };

  const addFunctions = (functions: MilFunction[]) => {
    const main = functions.find((f) => f.name === 'main') ?? functions[0];
    if (!main) return;
    if (main.opset) b.metadata.opset = main.opset;
    for (const f of main.inputs) {
      const v = b.value(0, f.name);
      if (!b.hasShape(v)) b.setValueType(v, f.dtype, f.dims);
    }
    if (main.block) addBlock(0, { ...main.block, outputs: [] }, `function ${main.name}`);
    for (const fn of functions) {
      if (fn === main || !fn.block) continue;
      const g = b.beginGraph(fn.name, GraphKind.Function);
      addBlock(g, { ...fn.block, inputs: [...fn.inputs, ...fn.block.inputs] }, `function ${fn.name}`);
    }
  };

  const addModel = (sub: CmModel, path: string) => {
    if (NN_MODELS.has(sub.typeField)) addLayers(0, sub.layers, path);
    else if (sub.typeField === ML_PROGRAM) addFunctions(sub.functions);
    else if (PIPELINE_MODELS.has(sub.typeField)) sub.pipeline.forEach((s, i) => addModel(s, `${path}.models[${i}]`));
    else if (sub.typeField >= 0) {
      const ins = sub.inputs.map((f) => typed(0, f));
      const outs = sub.outputs.map((f) => {
        const v = typed(0, f);
        produce(v, f.name, path);
        return v;
      });
      b.addNode(0, path, MODEL_TYPES[sub.typeField] ?? `model_${sub.typeField}`, ins, outs);
    }
  };

  for (const f of m.inputs) {
    const v = typed(0, f);
    if (!(b.flags(v) & ValueFlag.GraphInput)) b.addGraphInput(0, v);
    produced.add(v);
  }
  addModel(m, 'model');
  for (const f of m.outputs) {
    const v = typed(0, f);
    if (!(b.flags(v) & ValueFlag.GraphOutput)) b.addGraphOutput(0, v);
  }
  return b.finish();
}

async function decodeCoreml(source: ByteSource, options: DecodeOptions = {}): Promise<GraphIR> {
  if (source.size === 0) throw new DecodeError('empty file', source.name, 'file');
  const r = new WireStream(source, (pos) => options.onProgress?.(pos, source.size));
  const m = await model(r.at('Model'), source.size);
  options.onProgress?.(source.size, source.size);
  const blobs = await resolveBlobs(source, m.functions);
  const ir = build(m, source.name, options, blobs.located);
  if (blobs.note) ir.metadata.weights = blobs.note;
  return ir;
}

function showParam(name: string, v: number[] | string): AttributeView {
  if (typeof v === 'string') return { name, type: v ? 'message' : 'oneof', value: v || 'set' };
  if (!v.length) return { name, type: 'list', value: '[]' };
  const float = v.some((x) => !Number.isInteger(x));
  return { name, type: float ? 'float' : 'int', value: v.length === 1 ? String(v[0]) : `[${v.slice(0, 16).join(', ')}${v.length > 16 ? ', …' : ''}]` };
}

async function coremlNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  const offset = ir.nodeSourceOffset[node];
  const length = ir.nodeSourceLength[node];
  if (!(offset >= 0) || length <= 0) return { attributes: [] };
  const r = new WireStream(source);
  r.pos = offset;
  if (ir.metadata.modelType === MODEL_TYPES[ML_PROGRAM]) return { attributes: (await operationArguments(r.at('Operation'), offset + length)).slice(0, MAX_ATTRIBUTES) };
  const l = await layer(r.at('NeuralNetworkLayer'), offset + length, 0, true);
  const names = PARAM_NAMES[l.typeField] ?? {};
  const attributes: AttributeView[] = [];
  if (l.typeField === LAYER.activation) {
    for (const k of l.params.keys()) attributes.push({ name: 'activation', type: 'oneof', value: names[k] ?? `activation_${k}` });
  } else {
    for (const [k, v] of l.params) {
      if (attributes.length >= MAX_ATTRIBUTES) break;
      const a = showParam(names[k] ?? `field_${k}`, v);
      // PoolingLayerParams.PoolingType: MAX = 0, AVERAGE = 1, L2 = 2.
      if (l.typeField === LAYER.pooling && k === 1) a.value = ['MAX', 'AVERAGE', 'L2'][Number(a.value)] ?? a.value;
      attributes.push(a);
    }
  }
  for (const w of l.weights) attributes.push({ name: w.name, type: 'tensor', value: `${dtypeName(w.dtype)}[${w.count}] at offset ${w.offset}` });
  return { attributes };
}

/** `08 version 12 len 0a len 0a …`: specificationVersion, then a description whose first input starts with its name. */
export function looksLikeCoreml(head: Uint8Array, fileName: string): boolean {
  if (head.length < 8 || head[0] !== 0x08 || head[1] < 1 || head[1] > 12 || head[2] !== 0x12) return false;
  // Version 1 starts like a TensorFlow SavedModel (08 01 12 …): only by name.
  if (head[1] === 1 && !fileName.toLowerCase().endsWith('.mlmodel')) return false;
  let i = 3;
  while (i < head.length && head[i] & 0x80) i++;
  i++;
  if (i + 2 >= head.length || head[i] !== 0x0a) return false;
  i++;
  while (i < head.length && head[i] & 0x80) i++;
  i++;
  return i < head.length && head[i] === 0x0a;
}

export const coremlDecoder: ModelDecoder = {
  id: 'coreml',
  name: 'Core ML',
  extensions: ['.mlmodel'],
  sniff: looksLikeCoreml,
  decode: decodeCoreml,
  nodeDetails: coremlNodeDetails,
};
