/**
 * A tiny protobuf wire-format writer for tests: builds valid ONNX models field by field, and hostile ones
 * (lengths that lie, overlong varints, nesting thousands of levels deep) that no real serializer would emit.
 */

export const WIRE = { varint: 0, fixed64: 1, len: 2, fixed32: 5 } as const;

const utf8 = new TextEncoder();

export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatList(parts);
}

/** As concat(), for lists too long to spread into arguments. */
export function concatList(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Unsigned varint; negative numbers are written as 64-bit two's complement (10 bytes), like protobuf int64. */
export function varint(value: number | bigint): Uint8Array {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    const out: number[] = [];
    while (value >= 128) {
      out.push((value % 128) | 0x80);
      value = Math.floor(value / 128);
    }
    out.push(value);
    return Uint8Array.from(out);
  }
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n;
  if (v < 0n || v >= 1n << 64n) throw new Error(`varint out of range: ${value}`);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

export function varintLength(value: number): number {
  let n = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

export function tag(field: number, wire: number): Uint8Array {
  return varint(field * 8 + wire);
}

/** Field builders; each returns the encoded field (tag + payload). */
export const pb = {
  varint: (field: number, value: number | bigint) => concat(tag(field, WIRE.varint), varint(value)),
  bytes: (field: number, data: Uint8Array) => concat(tag(field, WIRE.len), varint(data.length), data),
  string: (field: number, s: string) => pb.bytes(field, utf8.encode(s)),
  msg: (field: number, ...parts: Uint8Array[]) => pb.bytes(field, concat(...parts)),
  fixed32: (field: number, value: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    return concat(tag(field, WIRE.fixed32), b);
  },
  float: (field: number, value: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    return concat(tag(field, WIRE.fixed32), b);
  },
  fixed64: (field: number, value: bigint) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    return concat(tag(field, WIRE.fixed64), b);
  },
  packed: (field: number, values: (number | bigint)[]) => pb.bytes(field, concatList(values.map((v) => varint(v)))),
  /** A length-delimited field whose declared length is `declared`, whatever the payload really is (hostile). */
  lying: (field: number, declared: number | bigint, payload: Uint8Array = new Uint8Array(0)) =>
    concat(tag(field, WIRE.len), varint(declared), payload),
};

/** One level of nesting: a length-delimited field `field`, with bytes before and after the inner message. */
export interface Frame {
  field: number;
  head?: Uint8Array;
  tail?: Uint8Array;
}

/**
 * Encodes frames[0] { head frames[1] { head ... core ... tail } tail } without recursion and without copying
 * the inner bytes at every level, so 10k+ levels are cheap to build.
 */
export function nest(frames: readonly Frame[], core: Uint8Array): Uint8Array {
  const n = frames.length;
  const contentLen = new Array<number>(n);
  let inner = core.length;
  for (let i = n - 1; i >= 0; i--) {
    const f = frames[i];
    contentLen[i] = (f.head?.length ?? 0) + inner + (f.tail?.length ?? 0);
    inner = tag(f.field, WIRE.len).length + varintLength(contentLen[i]) + contentLen[i];
  }
  const out = new Uint8Array(inner);
  let o = 0;
  const put = (b: Uint8Array | undefined) => {
    if (!b) return;
    out.set(b, o);
    o += b.length;
  };
  for (let i = 0; i < n; i++) {
    put(tag(frames[i].field, WIRE.len));
    put(varint(contentLen[i]));
    put(frames[i].head);
  }
  put(core);
  for (let i = n - 1; i >= 0; i--) put(frames[i].tail);
  return out;
}

// ONNX messages (field numbers from onnx.proto) --------------------------------------------------------------------

export const TensorDataType = { FLOAT: 1, INT64: 7, STRING: 8 } as const;
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, INTS: 7, STRINGS: 8 } as const;

export interface OnnxTensor {
  name: string;
  dims: (number | bigint)[];
  dataType?: number;
  raw?: Uint8Array;
  floats?: number[];
  doc?: string;
  external?: Record<string, string>;
}

export function tensorProto(t: OnnxTensor): Uint8Array {
  const parts = [
    t.dims.length ? pb.packed(1, t.dims) : new Uint8Array(0),
    pb.varint(2, t.dataType ?? TensorDataType.FLOAT),
    pb.string(8, t.name),
  ];
  if (t.floats) {
    const b = new Uint8Array(t.floats.length * 4);
    const dv = new DataView(b.buffer);
    t.floats.forEach((f, i) => dv.setFloat32(i * 4, f, true));
    parts.push(pb.bytes(4, b));
  }
  if (t.raw) parts.push(pb.bytes(9, t.raw));
  if (t.doc) parts.push(pb.string(12, t.doc));
  if (t.external) {
    for (const [k, v] of Object.entries(t.external)) parts.push(pb.msg(13, pb.string(1, k), pb.string(2, v)));
    parts.push(pb.varint(14, 1));
  }
  return concat(...parts);
}

export type OnnxAttr =
  | { name: string; i: number | bigint }
  | { name: string; f: number }
  | { name: string; s: string }
  | { name: string; ints: (number | bigint)[] }
  | { name: string; strings: string[] }
  | { name: string; t: OnnxTensor }
  | { name: string; g: Uint8Array; doc?: string };

export function attributeProto(a: OnnxAttr): Uint8Array {
  const parts = [pb.string(1, a.name)];
  if ('i' in a) parts.push(pb.varint(3, a.i), pb.varint(20, AttrType.INT));
  else if ('f' in a) parts.push(pb.float(2, a.f), pb.varint(20, AttrType.FLOAT));
  else if ('s' in a) parts.push(pb.string(4, a.s), pb.varint(20, AttrType.STRING));
  else if ('ints' in a) parts.push(pb.packed(8, a.ints), pb.varint(20, AttrType.INTS));
  else if ('strings' in a) parts.push(...a.strings.map((s) => pb.string(9, s)), pb.varint(20, AttrType.STRINGS));
  else if ('t' in a) parts.push(pb.msg(5, tensorProto(a.t)), pb.varint(20, AttrType.TENSOR));
  else parts.push(pb.bytes(6, a.g), pb.varint(20, AttrType.GRAPH));
  if ('doc' in a && a.doc) parts.push(pb.string(13, a.doc));
  return concat(...parts);
}

export interface OnnxNode {
  op: string;
  name?: string;
  inputs?: string[];
  outputs?: string[];
  domain?: string;
  doc?: string;
  attrs?: OnnxAttr[];
}

export function nodeProto(n: OnnxNode): Uint8Array {
  return concat(
    ...(n.inputs ?? []).map((s) => pb.string(1, s)),
    ...(n.outputs ?? []).map((s) => pb.string(2, s)),
    n.name !== undefined ? pb.string(3, n.name) : new Uint8Array(0),
    pb.string(4, n.op),
    ...(n.attrs ?? []).map((a) => pb.msg(5, attributeProto(a))),
    n.doc ? pb.string(6, n.doc) : new Uint8Array(0),
    n.domain ? pb.string(7, n.domain) : new Uint8Array(0),
  );
}

export interface OnnxValueInfo {
  name: string;
  elemType?: number;
  /** Numbers are fixed dims, strings symbolic ones; omitted = no shape. */
  shape?: (number | bigint | string)[];
  doc?: string;
}

export function valueInfoProto(v: OnnxValueInfo): Uint8Array {
  const dims = (v.shape ?? []).map((d) => pb.msg(1, typeof d === 'string' ? pb.string(2, d) : pb.varint(1, d)));
  const tensorType = concat(
    pb.varint(1, v.elemType ?? TensorDataType.FLOAT),
    v.shape ? pb.bytes(2, concatList(dims)) : new Uint8Array(0),
  );
  return concat(
    pb.string(1, v.name),
    pb.msg(2, pb.msg(1, tensorType)),
    v.doc ? pb.string(3, v.doc) : new Uint8Array(0),
  );
}

export interface OnnxGraph {
  name?: string;
  nodes?: OnnxNode[];
  initializers?: OnnxTensor[];
  inputs?: OnnxValueInfo[];
  outputs?: OnnxValueInfo[];
  valueInfo?: OnnxValueInfo[];
  doc?: string;
}

export function graphProto(g: OnnxGraph): Uint8Array {
  return concat(
    ...(g.nodes ?? []).map((n) => pb.msg(1, nodeProto(n))),
    g.name !== undefined ? pb.string(2, g.name) : new Uint8Array(0),
    ...(g.initializers ?? []).map((t) => pb.msg(5, tensorProto(t))),
    g.doc ? pb.string(10, g.doc) : new Uint8Array(0),
    ...(g.inputs ?? []).map((v) => pb.msg(11, valueInfoProto(v))),
    ...(g.outputs ?? []).map((v) => pb.msg(12, valueInfoProto(v))),
    ...(g.valueInfo ?? []).map((v) => pb.msg(13, valueInfoProto(v))),
  );
}

export interface OnnxFunction {
  name: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  nodes: OnnxNode[];
}

export interface OnnxModel {
  graph: Uint8Array;
  irVersion?: number;
  opset?: { domain?: string; version: number }[];
  producer?: string;
  doc?: string;
  functions?: OnnxFunction[];
  metadata?: Record<string, string>;
}

export function modelProto(m: OnnxModel): Uint8Array {
  return concat(
    pb.varint(1, m.irVersion ?? 8),
    m.producer ? pb.string(2, m.producer) : new Uint8Array(0),
    m.doc ? pb.string(6, m.doc) : new Uint8Array(0),
    pb.bytes(7, m.graph),
    ...(m.opset ?? [{ version: 17 }]).map((o) =>
      pb.msg(8, o.domain ? pb.string(1, o.domain) : new Uint8Array(0), pb.varint(2, o.version)),
    ),
    ...Object.entries(m.metadata ?? {}).map(([k, v]) => pb.msg(14, pb.string(1, k), pb.string(2, v))),
    ...(m.functions ?? []).map((f) =>
      pb.msg(
        25,
        concat(
          pb.string(1, f.name),
          ...f.inputs.map((s) => pb.string(4, s)),
          ...f.outputs.map((s) => pb.string(5, s)),
          ...f.nodes.map((n) => pb.msg(7, nodeProto(n))),
          pb.string(10, f.domain),
        ),
      ),
    ),
  );
}
