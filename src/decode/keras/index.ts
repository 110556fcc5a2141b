import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../byte-source.ts';
import { isText } from '../caffe/index.ts';
import { DecodeError } from '../errors.ts';
import type { Json } from '../json-file.ts';
import type { AttributeView, DecodeOptions, ModelDecoder, NodeDetails } from '../registry-types.ts';
import { ZipArchive, firstEntryName, looksLikeZip } from '../zip/zip.ts';
import { looksLikeHdf5 } from '../hdf5/hdf5.ts';
import { readKerasH5, type KerasWeight } from './h5-model.ts';

/**
 * Keras models: the Keras 3 `.keras` archive (a zip with `config.json`, `metadata.json`, `model.weights.h5`), the
 * legacy HDF5 model (`.h5`, config in a root attribute, weights located but not read) and a bare model config JSON
 * (`model.to_json()`, or the `config.json` of an archive). Sequential and Functional models
 * become one node per layer call, wired from `inbound_nodes` (Keras 3 `__keras_tensor__` / `keras_history` and the
 * Keras 2 `[layer, node, tensor, kwargs]` lists); nested models are sub-graphs of their node. The weights file
 * is named in the metadata, never read.
 */

type Obj = { [k: string]: Json };

const MAX_CONFIG = 256 << 20;
const MAX_NESTING = 32;
/** Outputs (and calls) of one layer: more is not a real model. */
const MAX_OUTPUTS = 65536;
const utf8 = new TextDecoder('utf-8');

const isObj = (v: Json | undefined): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: Json | undefined): string => (typeof v === 'string' ? v : '');

/** Per source: each node's layer config, for details (a config is small; re-reading the zip is not needed). */
const layerConfigs = new WeakMap<ByteSource, { nodeCount: number; configs: Obj[] }>();

interface KerasSource {
  config: Json;
  metadata: Record<string, string>;
  weights: Map<string, KerasWeight[]>;
}

async function readConfig(source: ByteSource): Promise<KerasSource> {
  const file = source.name;
  let metadata: Record<string, string> = {};
  let weights = new Map<string, KerasWeight[]>();
  let text: string;
  if (source.size === 0) throw new DecodeError('empty file', file, 'file');
  const head = await source.read(0, 4096);
  // The HDF5 signature may sit after a user block; Hdf5File finds it there.
  if (looksLikeHdf5(head) || /\.(h5|hdf5)$/i.test(file)) {
    const h5 = await readKerasH5(source);
    ({ metadata, weights } = h5);
    text = h5.configText;
  } else if (looksLikeZip(head)) {
    const zip = await ZipArchive.open(source);
    const entry = zip.get('config.json');
    if (!entry) throw new DecodeError('not a Keras archive: no config.json', file, 'config.json');
    text = await zip.text(entry, MAX_CONFIG);
    const meta = zip.get('metadata.json');
    if (meta && meta.size < 1 << 20) {
      try {
        const m = JSON.parse(await zip.text(meta)) as Json;
        if (isObj(m)) for (const k of ['keras_version', 'date_saved']) if (typeof m[k] === 'string') metadata[k] = m[k] as string;
      } catch {
        metadata.metadata_json = 'unreadable';
      }
    }
    const weights = zip.entries.find((e) => /\.(weights\.)?h5$/.test(e.name) || e.name.endsWith('.npz'));
    if (weights) metadata.weights = `${weights.name} (${weights.size} bytes, not read)`;
    metadata.container = 'keras';
  } else {
    if (source.size > MAX_CONFIG) throw new DecodeError(`too large for a Keras model config (${source.size} bytes)`, file, 'file');
    text = utf8.decode(await source.read(0, source.size));
    metadata.container = 'json';
  }
  let config: Json;
  try {
    config = JSON.parse(text) as Json;
  } catch (err) {
    throw new DecodeError(`config.json is not valid JSON (${err instanceof Error ? err.message : String(err)})`, file, 'config.json');
  }
  // tfjs layers models wrap the Keras config: {"modelTopology": {"model_config": {...}}}.
  if (isObj(config) && isObj(config.modelTopology)) config = config.modelTopology;
  if (isObj(config) && isObj(config.model_config)) config = config.model_config;
  if (isObj(config) && typeof config.keras_version === 'string') metadata.keras_version ??= config.keras_version;
  return { config, metadata, weights };
}

interface KerasTensorRef {
  layer: string;
  node: number;
  tensor: number;
  shape: (number | null)[] | null;
  dtype: string;
}

class KerasBuilder {
  readonly b = new GraphBuilder('keras');
  /** Per builder node: its layer config and graph. */
  readonly configs: Obj[] = [];
  readonly nodeGraph: number[] = [];

  constructor(private readonly file: string, private readonly weights: Map<string, KerasWeight[]>) {}

  fail(message: string, field: string): never {
    throw new DecodeError(message, this.file, field);
  }

  /** Adds a model's layers to graph `g`; returns its output values. */
  model(model: Obj, g: number, depth: number, inputs: number[]): number[] {
    if (depth > MAX_NESTING) this.fail(`models nested more than ${MAX_NESTING} deep`, 'layers');
    const cls = str(model.class_name);
    const config = isObj(model.config) ? model.config : null;
    if (!config) this.fail(`model "${cls}" has no config`, 'config');
    const layers = Array.isArray(config.layers) ? config.layers.filter(isObj) : null;
    if (!layers) this.fail(`model "${cls}" has no layers list`, 'config.layers');
    const sequential = cls === 'Sequential' || !layers.some((l) => Array.isArray(l.inbound_nodes) && l.inbound_nodes.length > 0);
    return sequential ? this.sequential(model, layers, g, depth, inputs) : this.functional(config, layers, g, depth, inputs);
  }

  private sequential(model: Obj, layers: Obj[], g: number, depth: number, inputs: number[]): number[] {
    const { b } = this;
    let cur: number;
    let rest = layers;
    if (inputs.length) cur = inputs[0];
    else {
      const first = layers[0];
      const isInput = first && str(first.class_name) === 'InputLayer';
      const name = isInput ? layerName(first) : 'input';
      cur = b.value(g, name);
      const shape = isInput ? batchShape(first) : buildShape(model) ?? buildShape(first ?? {});
      b.setValueType(cur, dtypeOf(isInput ? first : null), shape ? shape.map((d) => d ?? -1) : null);
      b.addGraphInput(g, cur);
      if (isInput) rest = layers.slice(1);
    }
    for (const layer of rest) {
      if (str(layer.class_name) === 'InputLayer') continue;
      cur = this.layerNode(layer, g, depth, [cur], layerName(layer), 1)[0];
    }
    if (!inputs.length) b.addGraphOutput(g, cur);
    return [cur];
  }

  private functional(config: Obj, layers: Obj[], g: number, depth: number, inputs: number[]): number[] {
    const { b } = this;
    const byName = new Map<string, Obj>();
    for (const l of layers) byName.set(layerName(l), l);
    const key = (layer: string, node: number, tensor: number) => (node === 0 && tensor === 0 ? layer : `${layer}:${node}:${tensor}`);
    // How many outputs each layer call has: the largest tensor index anyone reads.
    const outCount = new Map<string, number>();
    const refsOf = (l: Obj) => (Array.isArray(l.inbound_nodes) ? l.inbound_nodes : []).map((n) => inboundRefs(n));
    const calls = layers.map((l) => refsOf(l));
    const note = (r: KerasTensorRef) => {
      if (r.tensor > MAX_OUTPUTS || r.node > MAX_OUTPUTS) this.fail(`layer "${r.layer}" is read at node ${r.node}, output ${r.tensor}: more than ${MAX_OUTPUTS}`, 'inbound_nodes');
      const k = `${r.layer}:${r.node}`;
      outCount.set(k, Math.max(outCount.get(k) ?? 1, r.tensor + 1));
    };
    for (const c of calls) for (const refs of c) for (const r of refs) note(r);
    const heads = (field: string) => refList(config[field]);
    for (const r of heads('output_layers')) note(r);

    // Model inputs: InputLayers (or, for a nested model, the values its caller passes in).
    const inputRefs = heads('input_layers');
    const inputLayers = inputRefs.length ? inputRefs.map((r) => r.layer) : layers.filter((l) => str(l.class_name) === 'InputLayer').map(layerName);
    // A nested model's inputs are the values its caller passes in; the top model's are its InputLayers.
    const aliases = new Map<string, number>();
    inputLayers.forEach((name, i) => {
      if (inputs.length) {
        aliases.set(name, inputs[i] ?? inputs[0]);
        return;
      }
      const v = b.value(g, name);
      const l = byName.get(name);
      const shape = l ? batchShape(l) : null;
      b.setValueType(v, dtypeOf(l ?? null), shape ? shape.map((d) => d ?? -1) : null);
      b.addGraphInput(g, v);
    });
    const valueOf = (r: KerasTensorRef): number => {
      const alias = r.node === 0 && r.tensor === 0 ? aliases.get(r.layer) : undefined;
      if (alias !== undefined) return alias;
      const v = b.value(g, key(r.layer, r.node, r.tensor));
      if (r.shape && !b.hasShape(v)) b.setValueType(v, dtypeCode(r.dtype), r.shape.map((d) => d ?? -1));
      return v;
    };

    layers.forEach((layer, li) => {
      if (str(layer.class_name) === 'InputLayer') return;
      const name = layerName(layer);
      calls[li].forEach((refs, ni) => {
        const ins = refs.map(valueOf);
        const n = outCount.get(`${name}:${ni}`) ?? 1;
        const outs = Array.from({ length: n }, (_, t) => b.value(g, key(name, ni, t)));
        this.layerNode(layer, g, depth, ins, ni ? `${name}#${ni}` : name, n, outs);
      });
    });
    const outs = heads('output_layers').map(valueOf);
    if (!inputs.length) for (const v of outs) b.addGraphOutput(g, v);
    return outs;
  }

  /** One layer call: a node, and for a nested model its layers as the node's sub-graph. */
  private layerNode(layer: Obj, g: number, depth: number, ins: number[], name: string, nOut: number, outs?: number[]): number[] {
    const { b } = this;
    const cls = str(layer.class_name) || 'Layer';
    const out = outs ?? Array.from({ length: nOut }, (_, t) => b.value(g, t ? `${name}:${t}` : name));
    // Stored weights belong to top-level layers (a nested model's group holds all of its layers' weights).
    const stored = depth === 0 ? this.weights.get(layerName(layer)) : undefined;
    const node = b.addNode(g, name, cls, stored ? [...ins, ...stored.map((w) => this.weightValue(g, w))] : ins, out);
    this.configs[node] = layer;
    this.nodeGraph[node] = g;
    const cfg = isObj(layer.config) ? layer.config : null;
    if (cfg && Array.isArray(cfg.layers)) {
      const sub = b.beginGraph(name, GraphKind.Subgraph, g);
      b.setGraphParent(sub, node);
      const subIns = ins.map((_v, i) => {
        const inner = b.value(sub, `${name}/input_${i}`);
        b.addGraphInput(sub, inner);
        return inner;
      });
      const subOuts = this.model(layer, sub, depth + 1, subIns);
      for (const v of subOuts) b.addGraphOutput(sub, v);
    }
    return out;
  }

  private weightValue(g: number, w: KerasWeight): number {
    const { b } = this;
    const v = b.value(g, w.name);
    if (b.flags(v) & ValueFlag.Initializer) return v;
    b.addFlags(v, ValueFlag.Initializer);
    b.setValueType(v, dtypeCode(w.dtype), w.shape);
    if (w.offset >= 0) b.setValueData(v, w.offset, w.length);
    return v;
  }
}

function layerName(l: Obj): string {
  const cfg = isObj(l.config) ? l.config : {};
  return str(l.name) || str(cfg.name) || str(l.class_name) || 'layer';
}

function shapeList(v: Json | undefined): (number | null)[] | null {
  if (!Array.isArray(v)) return null;
  const out: (number | null)[] = [];
  for (const d of v) {
    if (d === null) out.push(null);
    else if (typeof d === 'number' && Number.isSafeInteger(d) && d >= 0) out.push(d);
    else return null;
  }
  return out;
}

function batchShape(l: Obj): (number | null)[] | null {
  const cfg = isObj(l.config) ? l.config : {};
  return shapeList(cfg.batch_shape) ?? shapeList(cfg.batch_input_shape);
}

function buildShape(l: Obj): (number | null)[] | null {
  const bc = isObj(l.build_config) ? l.build_config : null;
  const cfg = isObj(l.config) ? l.config : {};
  return shapeList(bc?.input_shape) ?? shapeList(cfg.batch_input_shape) ?? shapeList(cfg.batch_shape);
}

const DTYPES: Readonly<Record<string, number>> = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, string: 8, bool: 9, float16: 10, float64: 11,
  bfloat16: 16,
};

function dtypeCode(name: string): number {
  return DTYPES[name] ?? 0;
}

function dtypeOf(l: Obj | null): number {
  const cfg = l && isObj(l.config) ? l.config : {};
  const d = cfg.dtype;
  if (typeof d === 'string') return dtypeCode(d);
  if (isObj(d) && isObj(d.config)) return dtypeCode(str(d.config.name));
  return 0;
}

/** The tensors one inbound node reads: Keras 3 `{args, kwargs}` with `__keras_tensor__`s, or Keras 2 lists. */
function inboundRefs(node: Json): KerasTensorRef[] {
  const out: KerasTensorRef[] = [];
  const visit = (v: Json, depth: number) => {
    if (depth > 16 || out.length > 4096) return;
    if (Array.isArray(v)) {
      // Keras 2: [layer_name, node_index, tensor_index, kwargs?]
      if (typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number') {
        out.push({ layer: v[0], node: v[1], tensor: v[2], shape: null, dtype: '' });
        return;
      }
      for (const x of v) visit(x, depth + 1);
    } else if (isObj(v)) {
      if (v.class_name === '__keras_tensor__' && isObj(v.config)) {
        const h = v.config.keras_history;
        if (Array.isArray(h) && typeof h[0] === 'string') {
          out.push({ layer: h[0], node: Number(h[1]) || 0, tensor: Number(h[2]) || 0, shape: shapeList(v.config.shape), dtype: str(v.config.dtype) });
        }
        return;
      }
      if ('args' in v || 'kwargs' in v) {
        visit(v.args ?? null, depth + 1);
        visit(v.kwargs ?? null, depth + 1);
      }
    }
  };
  visit(node, 0);
  return out;
}

/** `input_layers` / `output_layers`: `[name, node, tensor]` or a list of them. */
function refList(v: Json | undefined): KerasTensorRef[] {
  if (!Array.isArray(v)) return [];
  if (typeof v[0] === 'string') return [{ layer: v[0], node: Number(v[1]) || 0, tensor: Number(v[2]) || 0, shape: null, dtype: '' }];
  return v.flatMap((x) => refList(x));
}

async function decodeKeras(source: ByteSource, options: DecodeOptions = {}): Promise<GraphIR> {
  const { config, metadata, weights } = await readConfig(source);
  options.checkCancelled?.();
  if (!isObj(config) || typeof config.class_name !== 'string' || !isObj(config.config)) {
    throw new DecodeError('not a Keras model config: no "class_name" and "config" at the top', source.name, 'config.json');
  }
  const kb = new KerasBuilder(source.name, weights);
  Object.assign(kb.b.metadata, metadata);
  kb.b.metadata.model = `${config.class_name}${str(config.config.name) ? ` "${str(config.config.name)}"` : ''}`;
  kb.b.beginGraph(str(config.config.name) || 'model', GraphKind.Main);
  kb.model(config, 0, 0, []);
  options.onProgress?.(source.size, source.size);
  const ir = kb.b.finish();
  // finish() keeps nodes of the main graph first, in order; configs were indexed by builder order.
  layerConfigs.set(source, { nodeCount: ir.nodeCount, configs: reorder(ir, kb) });
  return ir;
}

/** Builder node ids → IR node ids: finish() groups nodes by graph and keeps their order within a graph. */
function reorder(ir: GraphIR, kb: KerasBuilder): Obj[] {
  const out: Obj[] = new Array(ir.nodeCount);
  const seen = new Map<number, number>();
  kb.configs.forEach((c, i) => {
    const g = kb.nodeGraph[i];
    const k = seen.get(g) ?? 0;
    seen.set(g, k + 1);
    out[ir.graphNodeStart[g] + k] = c;
  });
  return out;
}

async function kerasNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  let cached = layerConfigs.get(source);
  if (!cached || cached.nodeCount !== ir.nodeCount) {
    await decodeKeras(source);
    cached = layerConfigs.get(source);
  }
  const layer = cached?.configs[node];
  const attributes: AttributeView[] = [];
  const cfg = layer && isObj(layer.config) ? layer.config : null;
  if (!cfg) return { attributes };
  for (const [k, v] of Object.entries(cfg)) {
    if (k === 'name' || k === 'layers') continue;
    const text = JSON.stringify(v);
    attributes.push({ name: k, type: Array.isArray(v) ? 'list' : v === null ? 'null' : typeof v, value: text.length > 300 ? `${text.slice(0, 300)}…` : text });
  }
  if (typeof layer!.module === 'string') attributes.push({ name: 'module', type: 'string', value: layer!.module });
  return { attributes };
}

/** A Keras model config as JSON text: `"class_name"` with a model class near the top. */
export function looksLikeKerasJson(head: Uint8Array): boolean {
  if (!isText(head)) return false;
  const text = utf8.decode(head);
  if (!/^\s*\{/.test(text)) return false;
  return /"class_name"\s*:\s*"(Sequential|Functional|Model)"/.test(text) || (/"modelTopology"\s*:/.test(text) && /"keras_version"|"class_name"/.test(text));
}

export const kerasDecoder: ModelDecoder = {
  id: 'keras',
  name: 'Keras',
  extensions: ['.keras', '.h5', '.hdf5'],
  sniff(head, fileName) {
    if (looksLikeHdf5(head)) return true;
    if (looksLikeZip(head)) {
      const first = firstEntryName(head);
      return first === 'metadata.json' || first === 'config.json' || first === 'model.weights.h5' || (!first && /\.keras$/i.test(fileName));
    }
    return looksLikeKerasJson(head);
  },
  decode: decodeKeras,
  nodeDetails: kerasNodeDetails,
};
