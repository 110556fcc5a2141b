import { str as irString } from '../../graph/ir.ts';
import { openModel, type DecodeOptions, type OpenModel } from '../decoder.ts';
import { DecodeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { isJsonObject, jsonString as str, readJsonFile, type Json, type JsonObject } from '../json-file.ts';
import { buildTfGraph } from '../tensorflow/build.ts';
import { newNode, newTensor, type TfModel, type TfNode } from '../tensorflow/model.ts';
import { TF_DTYPE_BY_NAME } from '../tensorflow/schema.ts';
import { tfjsNodeDetails } from './details.ts';
import { locateWeights, type WeightGroup } from './weights.ts';

/**
 * TensorFlow.js graph models (`model.json` from tfjs-converter): a TensorFlow GraphDef in protobuf's JSON mapping
 * under `modelTopology`, and a `weightsManifest` naming each Const's bytes in binary shards beside it. The graph is
 * built like any TensorFlow graph; weights are located in the shards, not read. (Layers models, a Keras config in
 * the same wrapper, go to the Keras decoder.)
 */

const arr = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);

function dtypeOf(v: Json | undefined): number {
  if (typeof v === 'number') return v;
  return TF_DTYPE_BY_NAME.get(str(v)) ?? 0;
}

function shapeOf(v: Json | undefined): number[] | null {
  if (!isJsonObject(v) || v.unknownRank === true) return null;
  return arr(v.dim).map((d) => {
    const n = isJsonObject(d) ? Number(d.size ?? 0) : 0;
    return Number.isSafeInteger(n) && n >= 0 ? n : -1;
  });
}

function node(n: JsonObject, index: number): TfNode {
  const out = newNode(index);
  out.end = index + 1;
  out.name = str(n.name);
  out.op = str(n.op);
  out.device = str(n.device);
  out.inputs = arr(n.input).filter((x): x is string => typeof x === 'string');
  const attr = isJsonObject(n.attr) ? n.attr : {};
  for (const [key, value] of Object.entries(attr)) {
    if (!isJsonObject(value)) continue;
    if ('type' in value) out.types.set(key, dtypeOf(value.type));
    else if (key === 'shape' && 'shape' in value) out.shape = shapeOf(value.shape);
    else if (key === '_output_shapes' && isJsonObject(value.list))
      out.outputShapes = arr(value.list.shape).map(shapeOf);
    else if (key === 'value' && isJsonObject(value.tensor)) {
      const t = newTensor();
      t.dtype = dtypeOf(value.tensor.dtype);
      t.dims = shapeOf(value.tensor.tensorShape);
      out.tensor = t;
    }
  }
  return out;
}

/** Builds the graph like any TensorFlow graph; each node's attributes (as JSON) are kept for its details. */
export async function openTfjs(source: ByteSource, options: DecodeOptions = {}): Promise<OpenModel> {
  const file = source.name;
  const doc = await readJsonFile(source, 'a TensorFlow.js model.json', 'model.json');
  options.onProgress?.(source.size, source.size);
  if (!isJsonObject(doc) || !isJsonObject(doc.modelTopology))
    throw new DecodeError('no "modelTopology": not a TensorFlow.js model', file, 'modelTopology');
  const topology = doc.modelTopology;
  if (!Array.isArray(topology.node))
    throw new DecodeError(
      '"modelTopology" has no "node" list: not a TensorFlow.js graph model',
      file,
      'modelTopology.node',
    );
  const raw = topology.node.filter(isJsonObject);
  const nodes = raw.map((n, i) => node(n, i));
  const library = isJsonObject(topology.library) ? arr(topology.library.function).filter(isJsonObject) : [];
  const functions = library.map((f) => {
    const sig = isJsonObject(f.signature) ? f.signature : {};
    const args = (v: Json | undefined) =>
      arr(v)
        .filter(isJsonObject)
        .map((a) => ({ name: str(a.name), dtype: dtypeOf(a.type) }));
    const ret = new Map<string, string>(Object.entries(isJsonObject(f.ret) ? f.ret : {}).map(([k, v]) => [k, str(v)]));
    return {
      name: str(sig.name),
      inputs: args(sig.inputArg),
      outputs: args(sig.outputArg),
      ret,
      nodes: arr(f.nodeDef)
        .filter(isJsonObject)
        .map((n, i) => node(n, i)),
    };
  });
  const metadata: Record<string, string> = { container: 'tfjs graph-model' };
  for (const key of ['generatedBy', 'convertedBy']) if (str(doc[key])) metadata[key] = str(doc[key]);

  const groups: WeightGroup[] = arr(doc.weightsManifest)
    .filter(isJsonObject)
    .map((g) => ({
      paths: arr(g.paths).map(str),
      weights: arr(g.weights)
        .filter(isJsonObject)
        .map((w) => ({
          name: str(w.name),
          shape: arr(w.shape).map(Number),
          dtype: str(w.dtype),
          quantization: isJsonObject(w.quantization) ? str(w.quantization.dtype) : '',
        })),
    }));
  const located = await locateWeights(source, groups);
  metadata.weights = located.note;
  for (const n of nodes) {
    const at = n.tensor && located.byName.get(n.name);
    if (!at || !n.tensor) continue;
    Object.assign(n.tensor, { offset: at.offset, length: at.length, encoding: 0, location: at.file });
    if (at.storedDtype) n.tensor.dtype = at.storedDtype;
  }
  const model: TfModel = { nodes, functions, metadata };
  const ir = buildTfGraph(model, 'tfjs');
  const attrs = new Map(raw.map((n) => [str(n.name), isJsonObject(n.attr) ? n.attr : {}]));
  return openModel(ir, source, async (node) => tfjsNodeDetails(attrs.get(irString(ir, ir.nodeName[node])) ?? {}));
}
