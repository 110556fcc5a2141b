import { str as irString, type GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { isText } from '../caffe/index.ts';
import { DecodeError } from '../errors.ts';
import { readJsonFile, type Json } from '../json-file.ts';
import type { AttributeView, DecodeOptions, ModelDecoder, NodeDetails } from '../decoder.ts';
import { buildTfGraph } from '../tensorflow/build.ts';
import { newNode, newTensor, type TfModel, type TfNode } from '../tensorflow/model.ts';
import { TF_DTYPE_BY_NAME } from '../tensorflow/schema.ts';
import { locateWeights, type WeightGroup } from './weights.ts';

/**
 * TensorFlow.js graph models (`model.json` from tfjs-converter): a TensorFlow GraphDef in protobuf's JSON mapping
 * under `modelTopology`, and a `weightsManifest` naming each Const's bytes in binary shards beside it. The graph is
 * built like any TensorFlow graph; weights are located in the shards, not read. (Layers models, a Keras config in
 * the same wrapper, go to the Keras decoder.)
 */

type Obj = { [k: string]: Json };

const isObj = (v: Json | undefined): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const arr = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
const str = (v: Json | undefined): string => (typeof v === 'string' ? v : '');
const utf8 = new TextDecoder('utf-8');

/** Per source: each node's attributes, for details (the JSON is small; it is not parsed twice). */
const attributesBySource = new WeakMap<ByteSource, { nodeCount: number; attrs: Map<string, Obj> }>();

function dtypeOf(v: Json | undefined): number {
  if (typeof v === 'number') return v;
  return TF_DTYPE_BY_NAME.get(str(v)) ?? 0;
}

function shapeOf(v: Json | undefined): number[] | null {
  if (!isObj(v) || v.unknownRank === true) return null;
  return arr(v.dim).map((d) => {
    const n = isObj(d) ? Number(d.size ?? 0) : 0;
    return Number.isSafeInteger(n) && n >= 0 ? n : -1;
  });
}

function node(n: Obj, index: number): TfNode {
  const out = newNode(index);
  out.end = index + 1;
  out.name = str(n.name);
  out.op = str(n.op);
  out.device = str(n.device);
  out.inputs = arr(n.input).filter((x): x is string => typeof x === 'string');
  const attr = isObj(n.attr) ? n.attr : {};
  for (const [key, value] of Object.entries(attr)) {
    if (!isObj(value)) continue;
    if ('type' in value) out.types.set(key, dtypeOf(value.type));
    else if (key === 'shape' && 'shape' in value) out.shape = shapeOf(value.shape);
    else if (key === '_output_shapes' && isObj(value.list)) out.outputShapes = arr(value.list.shape).map(shapeOf);
    else if (key === 'value' && isObj(value.tensor)) {
      const t = newTensor();
      t.dtype = dtypeOf(value.tensor.dtype);
      t.dims = shapeOf(value.tensor.tensorShape);
      out.tensor = t;
    }
  }
  return out;
}

async function decodeTfjs(source: ByteSource, options: DecodeOptions = {}): Promise<GraphIR> {
  const file = source.name;
  const doc = await readJsonFile(source, 'a TensorFlow.js model.json', 'model.json');
  options.onProgress?.(source.size, source.size);
  if (!isObj(doc) || !isObj(doc.modelTopology)) throw new DecodeError('no "modelTopology": not a TensorFlow.js model', file, 'modelTopology');
  const topology = doc.modelTopology;
  if (!Array.isArray(topology.node)) throw new DecodeError('"modelTopology" has no "node" list: not a TensorFlow.js graph model', file, 'modelTopology.node');
  const raw = topology.node.filter(isObj);
  const nodes = raw.map((n, i) => node(n, i));
  const library = isObj(topology.library) ? arr(topology.library.function).filter(isObj) : [];
  const functions = library.map((f) => {
    const sig = isObj(f.signature) ? f.signature : {};
    const args = (v: Json | undefined) => arr(v).filter(isObj).map((a) => ({ name: str(a.name), dtype: dtypeOf(a.type) }));
    const ret = new Map<string, string>(Object.entries(isObj(f.ret) ? f.ret : {}).map(([k, v]) => [k, str(v)]));
    return { name: str(sig.name), inputs: args(sig.inputArg), outputs: args(sig.outputArg), ret, nodes: arr(f.nodeDef).filter(isObj).map((n, i) => node(n, i)) };
  });
  const metadata: Record<string, string> = { container: 'tfjs graph-model' };
  for (const key of ['generatedBy', 'convertedBy']) if (str(doc[key])) metadata[key] = str(doc[key]);

  const groups: WeightGroup[] = arr(doc.weightsManifest).filter(isObj).map((g) => ({
    paths: arr(g.paths).map(str),
    weights: arr(g.weights).filter(isObj).map((w) => ({
      name: str(w.name),
      shape: arr(w.shape).map(Number),
      dtype: str(w.dtype),
      quantization: isObj(w.quantization) ? str(w.quantization.dtype) : '',
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
  attributesBySource.set(source, { nodeCount: ir.nodeCount, attrs: new Map(raw.map((n) => [str(n.name), isObj(n.attr) ? n.attr : {}])) });
  return ir;
}

/** An attribute value in protobuf's JSON mapping, as one short line (`s` is base64 in that mapping). */
function showAttr(v: Json): { type: string; value: string } {
  if (!isObj(v)) return { type: 'value', value: JSON.stringify(v) };
  if (typeof v.s === 'string') {
    let text = v.s;
    try {
      text = atob(v.s);
    } catch {
      // not base64: shown as written
    }
    return { type: 'string', value: JSON.stringify(text.slice(0, 300)) };
  }
  const [kind, value] = Object.entries(v)[0] ?? ['', null];
  const shown = JSON.stringify(value) ?? '';
  return { type: kind, value: shown.length > 300 ? `${shown.slice(0, 300)}…` : shown };
}

async function tfjsNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  let cached = attributesBySource.get(source);
  if (!cached || cached.nodeCount !== ir.nodeCount) {
    await decodeTfjs(source);
    cached = attributesBySource.get(source);
  }
  const name = irString(ir, ir.nodeName[node]);
  const attrs = cached?.attrs.get(name) ?? {};
  const attributes: AttributeView[] = Object.entries(attrs).map(([k, v]) => ({ name: k, ...showAttr(v) }));
  return { attributes };
}

/** model.json of a graph model: `"format": "graph-model"`, or a `modelTopology` holding a `node` list. */
export function looksLikeTfjsGraph(head: Uint8Array): boolean {
  if (!isText(head)) return false;
  const text = utf8.decode(head);
  if (!/^\s*\{/.test(text)) return false;
  return /"format"\s*:\s*"graph-model"/.test(text) || /"modelTopology"\s*:\s*\{\s*"node"\s*:/.test(text);
}

export const tfjsDecoder: ModelDecoder = {
  id: 'tfjs',
  name: 'TensorFlow.js graph model',
  extensions: [],
  sniff: looksLikeTfjsGraph,
  decode: decodeTfjs,
  nodeDetails: tfjsNodeDetails,
};
