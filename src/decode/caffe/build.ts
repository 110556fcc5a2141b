import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';

/** A weight blob of a layer; `offset` is where its packed values start in the file (-1 when not stored raw). */
export interface CaffeBlob {
  dims: number[];
  dtype: number;
  offset: number;
  length: number;
}

export interface CaffeLayer {
  name: string;
  type: string;
  bottoms: string[];
  tops: string[];
  blobs: CaffeBlob[];
  /** Byte range of the layer's record (text block or binary message). */
  start: number;
  end: number;
  /** Shapes of the tops of an Input layer (input_param.shape). */
  topShapes: number[][];
  /** Numeric fields of the layer's `*_param` messages by `param.field` (text format only), for shape inference. */
  params?: Map<string, number[]>;
}

export interface CaffeNet {
  name: string;
  inputs: { name: string; dims: number[] | null }[];
  layers: CaffeLayer[];
}

export const FLOAT32 = 1;
export const FLOAT64 = 11;

/**
 * Turns layers into GraphIR: one node per layer, values for blobs in SSA form. A top that names an existing blob
 * (in-place layers such as ReLU with top == bottom, or a name reused later) becomes a new version `name#k`, so
 * every value has one producer and the graph stays acyclic. Weight blobs are initializers feeding their layer.
 */
export function buildCaffeGraph(net: CaffeNet, format: string): GraphIR {
  const b = new GraphBuilder(format);
  b.beginGraph(net.name || 'net', GraphKind.Main);
  if (net.name) b.metadata.name = net.name;
  const current = new Map<string, number>();
  const versions = new Map<string, number>();
  const consumed = new Set<number>();
  const produced: number[] = [];

  /** A new value called `name`, or -1 if that name is taken. */
  const fresh = (name: string): number => {
    const before = b.valueCount;
    const v = b.value(0, name);
    return b.valueCount > before ? v : -1;
  };
  /** The next version of a blob: `name`, then `name#1`, `name#2`, … (skipping names the file itself uses). */
  const newVersion = (blob: string): number => {
    let n = versions.get(blob) ?? -1;
    let v = -1;
    while (v < 0) {
      n++;
      v = fresh(n === 0 ? blob : `${blob}#${n}`);
    }
    versions.set(blob, n);
    current.set(blob, v);
    return v;
  };

  const shapeOf = new Map<number, number[]>();
  for (const input of net.inputs) {
    const v = newVersion(input.name);
    b.setValueType(v, FLOAT32, input.dims);
    if (input.dims) shapeOf.set(v, input.dims);
    b.addGraphInput(0, v);
  }

  for (const layer of net.layers) {
    const ins: number[] = [];
    for (const bottom of layer.bottoms) {
      let v = current.get(bottom);
      if (v === undefined) {
        // A bottom nothing produced (caffe would refuse the net): keep it visible as a graph input.
        v = newVersion(bottom);
        b.addGraphInput(0, v);
      }
      consumed.add(v);
      ins.push(v);
    }
    layer.blobs.forEach((blob, k) => {
      let v = fresh(`${layer.name}.blobs.${k}`);
      for (let n = 1; v < 0; n++) v = fresh(`${layer.name}.blobs.${k}#${n}`);
      b.setValueType(v, blob.dtype, blob.dims);
      b.addFlags(v, ValueFlag.Initializer);
      if (blob.offset >= 0) b.setValueData(v, blob.offset, blob.length);
      ins.push(v);
    });
    const inShapes = ins.slice(0, layer.bottoms.length).map((v) => shapeOf.get(v) ?? null);
    const outs = layer.tops.map((top, k) => {
      const v = newVersion(top);
      const shape = layer.topShapes[k] ?? inferShape(layer, inShapes, k);
      b.setValueType(v, FLOAT32, shape);
      if (shape) shapeOf.set(v, shape);
      produced.push(v);
      return v;
    });
    b.countLayer(layer.type || 'Layer');
    b.addNode(0, layer.name, layer.type || 'Layer', ins, outs, layer.start, layer.end - layer.start);
  }
  for (const v of produced) if (!consumed.has(v)) b.addGraphOutput(0, v);
  b.metadata.layers = String(net.layers.length);
  return b.finish();
}

/** Layers whose tops have the shape of their first bottom. */
const ELEMENTWISE = new Set([
  'ReLU',
  'Sigmoid',
  'TanH',
  'Dropout',
  'BatchNorm',
  'Scale',
  'Bias',
  'LRN',
  'PReLU',
  'ELU',
  'Power',
  'AbsVal',
  'BNLL',
  'Exp',
  'Log',
  'Softmax',
  'Threshold',
  'Swish',
  'MVN',
  'Eltwise',
  'Split',
  'Clip',
  'ReLU6',
  'Normalize',
]);

/**
 * Output shape of common layers from their input shapes (NCHW) and parameters, as Caffe computes it; null where
 * the layer type or a missing input shape leaves it unknown.
 */
export function inferShape(layer: CaffeLayer, ins: (number[] | null)[], top: number): number[] | null {
  const x = ins[0];
  if (!x) return null;
  const p = layer.params ?? new Map<string, number[]>();
  const one = (key: string, def: number): number => p.get(key)?.[0] ?? def;
  /** A spatial parameter: `name_h` / `name_w` if given, else `name` (repeated per axis or once for all). */
  const spatial = (param: string, name: string, axis: 0 | 1, def: number): number => {
    const hw = p.get(`${param}.${name}_${axis === 0 ? 'h' : 'w'}`);
    if (hw?.length) return hw[0];
    const list = p.get(`${param}.${name}`);
    if (!list?.length) return def;
    return list.length > axis ? list[axis] : list[0];
  };
  const valid = (d: number[]) => (d.every((v) => Number.isSafeInteger(v) && v >= 0) ? d : null);
  switch (layer.type) {
    case 'Convolution':
    case 'Deconvolution': {
      if (x.length !== 4) return null;
      const param = 'convolution_param';
      const out = [x[0], one(`${param}.num_output`, 0), 0, 0];
      for (const axis of [0, 1] as const) {
        const k = spatial(param, 'kernel_size', axis, 1);
        const s = spatial(param, 'stride', axis, 1);
        const pad = spatial(param, 'pad', axis, 0);
        const d = spatial(param, 'dilation', axis, 1);
        const ext = d * (k - 1) + 1;
        const size = x[2 + axis];
        out[2 + axis] =
          layer.type === 'Convolution'
            ? Math.floor((size + 2 * pad - ext) / Math.max(1, s)) + 1
            : (size - 1) * s - 2 * pad + ext;
      }
      return valid(out);
    }
    case 'Pooling': {
      if (x.length !== 4) return null;
      const param = 'pooling_param';
      if (one(`${param}.global_pooling`, 0)) return [x[0], x[1], 1, 1];
      const out = [x[0], x[1], 0, 0];
      const floor = one(`${param}.round_mode`, 0) === 1;
      for (const axis of [0, 1] as const) {
        const k = spatial(param, 'kernel_size', axis, 1);
        const s = Math.max(1, spatial(param, 'stride', axis, 1));
        const pad = spatial(param, 'pad', axis, 0);
        const size = x[2 + axis];
        let o = (floor ? Math.floor((size + 2 * pad - k) / s) : Math.ceil((size + 2 * pad - k) / s)) + 1;
        // The last window must start inside the image (not in the padding).
        if (pad > 0 && (o - 1) * s >= size + pad) o--;
        out[2 + axis] = o;
      }
      return valid(out);
    }
    case 'InnerProduct': {
      const axis = one('inner_product_param.axis', 1);
      if (axis < 0 || axis > x.length) return null;
      return valid([...x.slice(0, axis), one('inner_product_param.num_output', 0)]);
    }
    case 'Concat': {
      if (ins.some((s) => !s || s.length !== x.length)) return null;
      let axis = p.has('concat_param.axis') ? one('concat_param.axis', 1) : one('concat_param.concat_dim', 1);
      if (axis < 0) axis += x.length;
      if (axis < 0 || axis >= x.length) return null;
      const out = x.slice();
      out[axis] = ins.reduce((sum, s) => sum + s![axis], 0);
      return valid(out);
    }
    case 'Flatten': {
      if (x.length < 2) return null;
      return valid([x[0], x.slice(1).reduce((a, b) => a * b, 1)]);
    }
    default:
      if (ELEMENTWISE.has(layer.type) && (layer.type === 'Split' || top === 0)) return x.slice();
      return null;
  }
}
