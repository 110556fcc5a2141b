import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';
import { WireStream } from '../protobuf/wire-stream.ts';
import { openModel, type DecodeOptions, type OpenModel } from '../decoder.ts';
import type { MilBlock, MilConstRecords, MilFunction, MilPayload } from './mil.ts';
import { ML_PROGRAM, model, type CmFeature, type CmLayer, type CmModel } from './model.ts';
import { resolveBlobs } from './weight-blob.ts';
import { LAYER, LAYER_TYPES, MODEL_TYPES, NN_MODELS, PIPELINE_MODELS } from './schema.ts';
import { coremlNodeDetails } from './details.ts';

/**
 * Apple Core ML `.mlmodel` (protobuf Model). Neural networks (plain, classifier, regressor) become one node per
 * layer, named by the layer oneof's field; branch/loop layers own their networks as sub-graphs. Pipelines are
 * flattened into one graph (their models connect by feature name). ML Programs become one node per operation, with
 * `const` operations as constants and nested blocks as sub-graphs; the main function is the main graph, any other
 * function a function graph. Any other model kind is one node from its inputs to its outputs. Weights (WeightParams
 * payloads, inline MIL tensors, blob-file entries of an `.mlpackage`) are recorded by offset, never read.
 */

function layerType(field: number): string {
  return LAYER_TYPES[field] ?? (field >= 0 ? `layer_${field}` : '(no layer type)');
}

function weightShape(l: CmLayer, name: string, count: number): number[] {
  const p = (k: number) => {
    const v = l.params.get(k);
    return Array.isArray(v) ? v : [];
  };
  const fits = (dims: number[]) =>
    dims.length > 0 && dims.every((d) => d > 0) && dims.reduce((a, b) => a * b, 1) === count;
  let dims: number[] = [];
  if (l.typeField === LAYER.convolution && name === 'weights')
    dims = [p(1)[0], p(2)[0], ...(p(20).length === 2 ? p(20) : [3, 3])];
  else if ((l.typeField === LAYER.innerProduct || l.typeField === LAYER.embedding) && name === 'weights')
    dims = [p(2)[0], p(1)[0]];
  return fits(dims) ? dims : [count];
}

/** `const` operations up to this size are shown by value in details; larger ones are tensors with a preview. */
const MAX_SHOWN_CONST_ELEMENTS = 16;
const MAX_SHOWN_CONST_RECORD = 4096;

function build(
  m: CmModel,
  file: string,
  options: DecodeOptions,
  blobs: Map<MilPayload, MilPayload | null>,
  consts: MilConstRecords,
): GraphIR {
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
      if (graph === 0) b.countLayer(layerType(l.typeField));
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
      // layerOps counts the main block's operations, const included, as coremltools lists them.
      if (graph === 0) b.countLayer(op.type || '(no type)');
      if (op.type === 'const' && op.outputs.length === 1) {
        const out = op.outputs[0];
        const v = b.value(graph, out.name);
        produce(v, out.name, where);
        b.setValueType(v, out.dtype, out.dims);
        b.addFlags(v, ValueFlag.Initializer);
        const at = op.payload && (op.payload.file ? blobs.get(op.payload) : op.payload);
        if (at) b.setValueData(v, at.offset, at.length, at.encoding, at.file);
        // Small inline values (strides, pad types, axes) are shown in place of their name in the details; weight
        // tensors keep their names.
        const elements = out.dims?.every((d) => d >= 0) ? out.dims.reduce((a, d) => a * d, 1) : -1;
        if (
          !op.payload?.file &&
          elements >= 0 &&
          elements <= MAX_SHOWN_CONST_ELEMENTS &&
          op.length <= MAX_SHOWN_CONST_RECORD
        )
          consts.set(out.name, { offset: op.offset, length: op.length });
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
      const type = MODEL_TYPES[sub.typeField] ?? `model_${sub.typeField}`;
      b.countLayer(type);
      b.addNode(0, path, type, ins, outs);
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

async function decodeCoreml(source: ByteSource, options: DecodeOptions, consts: MilConstRecords): Promise<GraphIR> {
  if (source.size === 0) throw new DecodeError('empty file', source.name, 'file');
  const r = new WireStream(source, (pos) => options.onProgress?.(pos, source.size));
  const m = await model(r.at('Model'), source.size);
  options.onProgress?.(source.size, source.size);
  const blobs = await resolveBlobs(source, m.functions);
  const ir = build(m, source.name, options, blobs.located, consts);
  if (blobs.note) ir.metadata.weights = blobs.note;
  return ir;
}

export async function openCoreml(source: ByteSource, options: DecodeOptions = {}): Promise<OpenModel> {
  const consts: MilConstRecords = new Map();
  const ir = await decodeCoreml(source, options, consts);
  return openModel(ir, source, (node) => coremlNodeDetails(source, ir, node, consts));
}
