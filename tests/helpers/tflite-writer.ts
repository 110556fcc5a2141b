import { Builder, type Offset } from 'flatbuffers';

/**
 * Writes small TFLite flatbuffers for decoder tests (edge cases the real models lack: custom ops, extended op
 * codes, control-flow subgraphs, buffers stored past the flatbuffer). Field slots follow schema.fbs.
 */
export interface TfTensor {
  name: string;
  shape: number[];
  type?: number;
  buffer?: number;
  shapeSignature?: number[];
  scale?: number[];
  zeroPoint?: number[];
}
export interface TfOp {
  opcode: number;
  inputs: number[];
  outputs: number[];
  optionsType?: number;
  /** Builds the options table (called while no other object is open). */
  options?: (b: Builder) => Offset;
}
export interface TfSubgraph {
  name?: string;
  tensors: TfTensor[];
  inputs: number[];
  outputs: number[];
  ops: TfOp[];
}
export type TfBuffer = { data: Uint8Array } | { external: number } | null;
export interface TfModel {
  codes: { builtin: number; custom?: string; deprecated?: number }[];
  subgraphs: TfSubgraph[];
  buffers: TfBuffer[];
  description?: string;
}

export function writeTflite(m: TfModel): Uint8Array {
  // Pass 1 with placeholder offsets for external buffers, then again with the real ones (same layout).
  const first = build(m, null);
  const fbLength = Math.ceil(first.length / 16) * 16;
  const externals: number[] = [];
  let pos = fbLength;
  for (const buf of m.buffers) {
    if (buf && 'external' in buf) {
      externals.push(pos);
      pos += buf.external;
    } else externals.push(0);
  }
  if (pos === fbLength) return first;
  const fb = build(m, externals);
  if (fb.length !== first.length) throw new Error('layout changed between passes');
  const out = new Uint8Array(pos);
  out.set(fb);
  for (let i = 0; i < m.buffers.length; i++) {
    const buf = m.buffers[i];
    if (buf && 'external' in buf) for (let k = 0; k < buf.external; k++) out[externals[i] + k] = (k * 7) & 255;
  }
  return out;
}

function build(m: TfModel, externals: number[] | null): Uint8Array {
  const b = new Builder(1024);
  const intVector = (xs: number[]) => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addInt32(xs[i]);
    return b.endVector();
  };
  const offsetVector = (xs: Offset[]) => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addOffset(xs[i]);
    return b.endVector();
  };

  const buffers = m.buffers.map((buf, i) => {
    let data = 0;
    if (buf && 'data' in buf) {
      b.startVector(1, buf.data.length, 16);
      for (let k = buf.data.length - 1; k >= 0; k--) b.addInt8(buf.data[k]);
      data = b.endVector();
    }
    b.startObject(3);
    if (data) b.addFieldOffset(0, data, 0);
    if (buf && 'external' in buf) {
      b.addFieldInt64(1, BigInt(externals ? externals[i] : 2), 0n);
      b.addFieldInt64(2, BigInt(buf.external), 0n);
    }
    return b.endObject();
  });

  const subgraphs = m.subgraphs.map((sg) => {
    const tensors = sg.tensors.map((t) => {
      const name = b.createString(t.name);
      const shape = intVector(t.shape);
      const sig = t.shapeSignature ? intVector(t.shapeSignature) : 0;
      let quant = 0;
      if (t.scale) {
        b.startVector(4, t.scale.length, 4);
        for (let i = t.scale.length - 1; i >= 0; i--) b.addFloat32(t.scale[i]);
        const scale = b.endVector();
        const zp = t.zeroPoint ?? [];
        b.startVector(8, zp.length, 8);
        for (let i = zp.length - 1; i >= 0; i--) b.addInt64(BigInt(zp[i]));
        const zero = b.endVector();
        b.startObject(7);
        b.addFieldOffset(2, scale, 0);
        b.addFieldOffset(3, zero, 0);
        quant = b.endObject();
      }
      b.startObject(10);
      b.addFieldOffset(0, shape, 0);
      b.addFieldInt8(1, t.type ?? 0, 0);
      b.addFieldInt32(2, t.buffer ?? 0, 0);
      b.addFieldOffset(3, name, 0);
      if (quant) b.addFieldOffset(4, quant, 0);
      if (sig) b.addFieldOffset(7, sig, 0);
      return b.endObject();
    });
    const ops = sg.ops.map((op) => {
      const options = op.options ? op.options(b) : 0;
      const inputs = intVector(op.inputs);
      const outputs = intVector(op.outputs);
      b.startObject(13);
      b.addFieldInt32(0, op.opcode, 0);
      b.addFieldOffset(1, inputs, 0);
      b.addFieldOffset(2, outputs, 0);
      if (op.optionsType) b.addFieldInt8(3, op.optionsType, 0);
      if (options) b.addFieldOffset(4, options, 0);
      return b.endObject();
    });
    const tv = offsetVector(tensors);
    const iv = intVector(sg.inputs);
    const ov = intVector(sg.outputs);
    const opv = offsetVector(ops);
    const name = sg.name ? b.createString(sg.name) : 0;
    b.startObject(5);
    b.addFieldOffset(0, tv, 0);
    b.addFieldOffset(1, iv, 0);
    b.addFieldOffset(2, ov, 0);
    b.addFieldOffset(3, opv, 0);
    if (name) b.addFieldOffset(4, name, 0);
    return b.endObject();
  });

  const codes = m.codes.map((c) => {
    const custom = c.custom ? b.createString(c.custom) : 0;
    b.startObject(4);
    b.addFieldInt8(0, c.deprecated ?? Math.min(c.builtin, 127), 0);
    if (custom) b.addFieldOffset(1, custom, 0);
    b.addFieldInt32(2, 1, 1);
    b.addFieldInt32(3, c.builtin, 0);
    return b.endObject();
  });

  const codesV = offsetVector(codes);
  const sgV = offsetVector(subgraphs);
  const bufV = offsetVector(buffers);
  const desc = b.createString(m.description ?? 'strata test model');
  b.startObject(8);
  b.addFieldInt32(0, 3, 0);
  b.addFieldOffset(1, codesV, 0);
  b.addFieldOffset(2, sgV, 0);
  b.addFieldOffset(3, desc, 0);
  b.addFieldOffset(4, bufV, 0);
  const root = b.endObject();
  b.finish(root, 'TFL3');
  return b.asUint8Array().slice();
}

/** Conv2DOptions{padding, stride_w, stride_h, fused_activation_function}. */
export function conv2dOptions(padding: number, strideW: number, strideH: number, activation: number) {
  return (b: Builder): Offset => {
    b.startObject(7);
    b.addFieldInt8(0, padding, 0);
    b.addFieldInt32(1, strideW, 0);
    b.addFieldInt32(2, strideH, 0);
    b.addFieldInt8(3, activation, 0);
    return b.endObject();
  };
}

/** IfOptions{then_subgraph_index, else_subgraph_index}. */
export function ifOptions(thenIndex: number, elseIndex: number) {
  return (b: Builder): Offset => {
    b.startObject(2);
    b.addFieldInt32(0, thenIndex, 0);
    b.addFieldInt32(1, elseIndex, 0);
    return b.endObject();
  };
}
