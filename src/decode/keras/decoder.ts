import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import { openModel, type DecodeOptions, type OpenModel } from '../decoder.ts';
import { DecodeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { isJsonObject, jsonString as str, type Json, type JsonObject } from '../json-file.ts';
import { readConfig } from './container.ts';
import { kerasNodeDetails } from './details.ts';
import type { KerasWeight } from './h5-model.ts';

/**
 * Keras models: the Keras 3 `.keras` archive (a zip with `config.json`, `metadata.json`, `model.weights.h5`), the
 * legacy HDF5 model (`.h5`, config in a root attribute, weights located but not read) and a bare model config JSON
 * (`model.to_json()`, or the `config.json` of an archive). Sequential and Functional models
 * become one node per layer call, wired from `inbound_nodes` (Keras 3 `__keras_tensor__` / `keras_history` and the
 * Keras 2 `[layer, node, tensor, kwargs]` lists); nested models are sub-graphs of their node. The weights file
 * is named in the metadata, never read.
 */

/** Models nested deeper than this are not real. */
const MAX_NESTING = 32;
/** Outputs (and calls) of one layer: more is not a real model. */
const MAX_OUTPUTS = 65536;

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
  readonly configs: JsonObject[] = [];
  readonly nodeGraph: number[] = [];

  constructor(
    private readonly file: string,
    private readonly weights: Map<string, KerasWeight[]>,
  ) {}

  fail(message: string, field: string): never {
    throw new DecodeError(message, this.file, field);
  }

  /** Adds a model's layers to graph `g`; returns its output values. */
  model(model: JsonObject, g: number, depth: number, inputs: number[]): number[] {
    if (depth > MAX_NESTING) this.fail(`models nested more than ${MAX_NESTING} deep`, 'layers');
    const cls = str(model.class_name);
    const config = isJsonObject(model.config) ? model.config : null;
    if (!config) this.fail(`model "${cls}" has no config`, 'config');
    const layers = Array.isArray(config.layers) ? config.layers.filter(isJsonObject) : null;
    if (!layers) this.fail(`model "${cls}" has no layers list`, 'config.layers');
    const sequential =
      cls === 'Sequential' || !layers.some((l) => Array.isArray(l.inbound_nodes) && l.inbound_nodes.length > 0);
    return sequential
      ? this.sequential(model, layers, g, depth, inputs)
      : this.functional(config, layers, g, depth, inputs);
  }

  private sequential(model: JsonObject, layers: JsonObject[], g: number, depth: number, inputs: number[]): number[] {
    const { b } = this;
    let cur: number;
    let rest = layers;
    if (inputs.length) cur = inputs[0];
    else {
      const first = layers[0];
      const isInput = first && str(first.class_name) === 'InputLayer';
      const name = isInput ? layerName(first) : 'input';
      cur = b.value(g, name);
      const shape = isInput ? batchShape(first) : (buildShape(model) ?? buildShape(first ?? {}));
      b.setValueType(cur, dtypeOf(isInput ? first : null), shape ? shape.map((d) => d ?? -1) : null);
      b.addGraphInput(g, cur);
      if (isInput) rest = layers.slice(1);
    }
    // layerOps counts the layer records of the top model's config, an InputLayer included.
    if (g === 0) for (const layer of layers) b.countLayer(str(layer.class_name) || 'Layer');
    for (const layer of rest) {
      if (str(layer.class_name) === 'InputLayer') continue;
      cur = this.layerNode(layer, g, depth, [cur], layerName(layer), 1)[0];
    }
    if (!inputs.length) b.addGraphOutput(g, cur);
    return [cur];
  }

  private functional(config: JsonObject, layers: JsonObject[], g: number, depth: number, inputs: number[]): number[] {
    const { b } = this;
    const byName = new Map<string, JsonObject>();
    for (const l of layers) byName.set(layerName(l), l);
    const key = (layer: string, node: number, tensor: number) =>
      node === 0 && tensor === 0 ? layer : `${layer}:${node}:${tensor}`;
    // How many outputs each layer call has: the largest tensor index anyone reads.
    const outCount = new Map<string, number>();
    const refsOf = (l: JsonObject) =>
      (Array.isArray(l.inbound_nodes) ? l.inbound_nodes : []).map((n) => inboundRefs(n));
    const calls = layers.map((l) => refsOf(l));
    const note = (r: KerasTensorRef) => {
      if (r.tensor > MAX_OUTPUTS || r.node > MAX_OUTPUTS)
        this.fail(
          `layer "${r.layer}" is read at node ${r.node}, output ${r.tensor}: more than ${MAX_OUTPUTS}`,
          'inbound_nodes',
        );
      const k = `${r.layer}:${r.node}`;
      outCount.set(k, Math.max(outCount.get(k) ?? 1, r.tensor + 1));
    };
    for (const c of calls) for (const refs of c) for (const r of refs) note(r);
    const heads = (field: string) => refList(config[field]);
    for (const r of heads('output_layers')) note(r);

    // Model inputs: InputLayers (or, for a nested model, the values its caller passes in).
    const inputRefs = heads('input_layers');
    const inputLayers = inputRefs.length
      ? inputRefs.map((r) => r.layer)
      : layers.filter((l) => str(l.class_name) === 'InputLayer').map(layerName);
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
    const valueIdOf = (r: KerasTensorRef): number => {
      const alias = r.node === 0 && r.tensor === 0 ? aliases.get(r.layer) : undefined;
      if (alias !== undefined) return alias;
      const v = b.value(g, key(r.layer, r.node, r.tensor));
      if (r.shape && !b.hasShape(v))
        b.setValueType(
          v,
          dtypeCode(r.dtype),
          r.shape.map((d) => d ?? -1),
        );
      return v;
    };

    layers.forEach((layer, li) => {
      // Each stored layer record counts once, InputLayer included, however often the layer is called.
      if (g === 0) b.countLayer(str(layer.class_name) || 'Layer');
      if (str(layer.class_name) === 'InputLayer') return;
      const name = layerName(layer);
      calls[li].forEach((refs, ni) => {
        const ins = refs.map(valueIdOf);
        const n = outCount.get(`${name}:${ni}`) ?? 1;
        const outs = Array.from({ length: n }, (_, t) => b.value(g, key(name, ni, t)));
        this.layerNode(layer, g, depth, ins, ni ? `${name}#${ni}` : name, n, outs);
      });
    });
    const outs = heads('output_layers').map(valueIdOf);
    if (!inputs.length) for (const v of outs) b.addGraphOutput(g, v);
    return outs;
  }

  /** One layer call: a node, and for a nested model its layers as the node's sub-graph. */
  private layerNode(
    layer: JsonObject,
    g: number,
    depth: number,
    ins: number[],
    name: string,
    nOut: number,
    outs?: number[],
  ): number[] {
    const { b } = this;
    const cls = str(layer.class_name) || 'Layer';
    const out = outs ?? Array.from({ length: nOut }, (_, t) => b.value(g, t ? `${name}:${t}` : name));
    // Stored weights belong to top-level layers (a nested model's group holds all of its layers' weights).
    const stored = depth === 0 ? this.weights.get(layerName(layer)) : undefined;
    const node = b.addNode(g, name, cls, stored ? [...ins, ...stored.map((w) => this.weightValue(g, w))] : ins, out);
    this.configs[node] = layer;
    this.nodeGraph[node] = g;
    const cfg = isJsonObject(layer.config) ? layer.config : null;
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

function layerName(l: JsonObject): string {
  const cfg = isJsonObject(l.config) ? l.config : {};
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

function batchShape(l: JsonObject): (number | null)[] | null {
  const cfg = isJsonObject(l.config) ? l.config : {};
  return shapeList(cfg.batch_shape) ?? shapeList(cfg.batch_input_shape);
}

function buildShape(l: JsonObject): (number | null)[] | null {
  const bc = isJsonObject(l.build_config) ? l.build_config : null;
  const cfg = isJsonObject(l.config) ? l.config : {};
  return shapeList(bc?.input_shape) ?? shapeList(cfg.batch_input_shape) ?? shapeList(cfg.batch_shape);
}

const DTYPES: Readonly<Record<string, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  bfloat16: 16,
};

function dtypeCode(name: string): number {
  return DTYPES[name] ?? 0;
}

function dtypeOf(l: JsonObject | null): number {
  const cfg = l && isJsonObject(l.config) ? l.config : {};
  const d = cfg.dtype;
  if (typeof d === 'string') return dtypeCode(d);
  if (isJsonObject(d) && isJsonObject(d.config)) return dtypeCode(str(d.config.name));
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
    } else if (isJsonObject(v)) {
      if (v.class_name === '__keras_tensor__' && isJsonObject(v.config)) {
        const h = v.config.keras_history;
        if (Array.isArray(h) && typeof h[0] === 'string') {
          out.push({
            layer: h[0],
            node: Number(h[1]) || 0,
            tensor: Number(h[2]) || 0,
            shape: shapeList(v.config.shape),
            dtype: str(v.config.dtype),
          });
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
  if (typeof v[0] === 'string')
    return [{ layer: v[0], node: Number(v[1]) || 0, tensor: Number(v[2]) || 0, shape: null, dtype: '' }];
  return v.flatMap((x) => refList(x));
}

/** Decodes the config into one node per layer call; each node's layer config is kept for its details. */
export async function openKeras(source: ByteSource, options: DecodeOptions = {}): Promise<OpenModel> {
  const { config, metadata, weights } = await readConfig(source);
  options.checkCancelled?.();
  if (!isJsonObject(config) || typeof config.class_name !== 'string' || !isJsonObject(config.config)) {
    throw new DecodeError(
      'not a Keras model config: no "class_name" and "config" at the top',
      source.name,
      'config.json',
    );
  }
  const kb = new KerasBuilder(source.name, weights);
  Object.assign(kb.b.metadata, metadata);
  kb.b.metadata.model = `${config.class_name}${str(config.config.name) ? ` "${str(config.config.name)}"` : ''}`;
  kb.b.beginGraph(str(config.config.name) || 'model', GraphKind.Main);
  kb.model(config, 0, 0, []);
  options.onProgress?.(source.size, source.size);
  const ir = kb.b.finish();
  // finish() groups nodes by graph; configs were indexed by builder order.
  const configs = reorder(ir, kb);
  return openModel(ir, source, async (node) => kerasNodeDetails(configs[node]));
}

/** Builder node ids → IR node ids: finish() groups nodes by graph and keeps their order within a graph. */
function reorder(ir: GraphIR, kb: KerasBuilder): JsonObject[] {
  const out: JsonObject[] = new Array(ir.nodeCount);
  const seen = new Map<number, number>();
  kb.configs.forEach((c, i) => {
    const g = kb.nodeGraph[i];
    const k = seen.get(g) ?? 0;
    seen.set(g, k + 1);
    out[ir.graphNodeStart[g] + k] = c;
  });
  return out;
}
