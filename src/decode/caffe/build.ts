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

  for (const input of net.inputs) {
    const v = newVersion(input.name);
    b.setValueType(v, FLOAT32, input.dims);
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
    const outs = layer.tops.map((top, k) => {
      const v = newVersion(top);
      b.setValueType(v, FLOAT32, layer.topShapes[k] ?? null);
      produced.push(v);
      return v;
    });
    b.addNode(0, layer.name, layer.type || 'Layer', ins, outs, layer.start, layer.end - layer.start);
  }
  for (const v of produced) if (!consumed.has(v)) b.addGraphOutput(0, v);
  b.metadata.layers = String(net.layers.length);
  return b.finish();
}
