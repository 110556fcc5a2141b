import { concat, pb } from './protobuf-writer.ts';

/** Writes Core ML Model messages (field numbers from coremltools' Model.proto / NeuralNetwork.proto) for tests. */

const floats = (n: number) => {
  const b = new Uint8Array(n * 4);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < n; i++) dv.setFloat32(i * 4, (i % 7) / 7, true);
  return b;
};
/** WeightParams: floatValue (1, packed) or float16Value (2, bytes). */
export const weightFloat = (n: number) => pb.bytes(1, floats(n));
export const weightHalf = (n: number) => pb.bytes(2, new Uint8Array(n * 2));

export const imageFeature = (name: string, w: number, h: number) =>
  concat(pb.string(1, name), pb.msg(3, pb.msg(4, pb.varint(1, w), pb.varint(2, h), pb.varint(3, 20))));
export const arrayFeature = (name: string, shape: number[]) =>
  concat(pb.string(1, name), pb.msg(3, pb.msg(5, pb.packed(1, shape), pb.varint(2, 65568))));

export function nnLayer(
  name: string,
  inputs: string[],
  outputs: string[],
  typeField: number,
  params: Uint8Array = new Uint8Array(0),
): Uint8Array {
  return concat(
    pb.string(1, name),
    ...inputs.map((s) => pb.string(2, s)),
    ...outputs.map((s) => pb.string(3, s)),
    pb.bytes(typeField, params),
  );
}

export const network = (...layers: Uint8Array[]) => concat(...layers.map((l) => pb.bytes(1, l)));

export function coremlModel(
  version: number,
  inputs: Uint8Array[],
  outputs: Uint8Array[],
  typeField: number,
  body: Uint8Array,
): Uint8Array {
  const description = concat(
    ...inputs.map((f) => pb.bytes(1, f)),
    ...outputs.map((f) => pb.bytes(10, f)),
    pb.msg(100, pb.string(3, 'strata tests'), pb.string(4, 'MIT')),
  );
  return concat(pb.varint(1, version), pb.bytes(2, description), pb.bytes(typeField, body));
}

/**
 * A small image classifier: convolution (float32 weights + bias) → activation ReLU → pooling → batchnorm →
 * branch (if: activation; else: an unknown layer kind) → flatten → innerProduct (float16 weights) → softmax.
 */
export function tinyCoremlModel(): Uint8Array {
  const conv = concat(
    pb.varint(1, 8),
    pb.varint(2, 3),
    pb.varint(10, 1),
    pb.packed(20, [3, 3]),
    pb.packed(30, [1, 1]),
    pb.msg(51),
    pb.varint(70, 1),
    pb.msg(90, weightFloat(8 * 3 * 3 * 3)),
    pb.msg(91, weightFloat(8)),
  );
  const relu = pb.msg(10);
  const pool = concat(pb.varint(1, 0), pb.packed(10, [2, 2]), pb.packed(20, [2, 2]), pb.msg(30));
  const bn = concat(pb.varint(1, 8), pb.float(10, 0.001), ...[15, 16, 17, 18].map((f) => pb.msg(f, weightFloat(8))));
  const branch = concat(
    pb.msg(1, network(nnLayer('if_relu', ['bn'], ['branched'], 130, relu))),
    pb.msg(2, network(nnLayer('else_custom', ['bn'], ['branched'], 999))),
  );
  const fc = concat(
    pb.varint(1, 8 * 16 * 16),
    pb.varint(2, 10),
    pb.varint(10, 0),
    pb.msg(20, weightHalf(10 * 8 * 16 * 16)),
  );
  const nn = network(
    nnLayer('conv1', ['image'], ['conv1'], 100, conv),
    nnLayer('relu1', ['conv1'], ['relu1'], 130, relu),
    nnLayer('pool1', ['relu1'], ['pool1'], 120, pool),
    nnLayer('bn', ['pool1'], ['bn'], 160, bn),
    nnLayer('cond_check', ['bn'], ['cond'], 220),
    nnLayer('branch', ['cond'], [], 605, branch),
    nnLayer('flatten', ['branched'], ['flat'], 301, pb.varint(1, 0)),
    nnLayer('fc', ['flat'], ['logits'], 140, fc),
    nnLayer('softmax', ['logits'], ['probs'], 175),
  );
  return coremlModel(4, [imageFeature('image', 32, 32)], [arrayFeature('probs', [10])], 500, nn);
}

/* ML Program (MIL.proto field numbers): the layout coremltools writes for `convert_to="mlprogram"`. */

const MIL_FP32 = 11;
const milType = (dtype: number, dims: number[]) =>
  pb.msg(
    1,
    pb.varint(1, dtype),
    pb.varint(2, dims.length),
    ...dims.map((d) => pb.msg(3, d < 0 ? pb.msg(2, pb.varint(1, 0)) : pb.msg(1, pb.varint(1, d)))),
  );
export const milNamed = (name: string, dims: number[], dtype = MIL_FP32) =>
  concat(pb.string(1, name), pb.bytes(2, milType(dtype, dims)));
const milEntry = (key: string, value: Uint8Array) => concat(pb.string(1, key), pb.bytes(2, value));
const bindName = (name: string) => pb.msg(1, pb.string(1, name));
const bindValue = (value: Uint8Array) => pb.msg(1, pb.bytes(2, value));
export const milFloats = (values: number[]) => {
  const b = new Uint8Array(values.length * 4);
  values.forEach((v, i) => new DataView(b.buffer).setFloat32(i * 4, v, true));
  return pb.msg(3, pb.msg(1, pb.msg(1, pb.bytes(1, b))));
};
const milInts = (values: number[]) => pb.msg(3, pb.msg(1, pb.msg(2, pb.packed(1, values))));
const milBlobValue = (offset: number) =>
  pb.msg(5, pb.string(1, '@model_path/weights/weight.bin'), pb.varint(2, offset));

interface MilOpSpec {
  type: string;
  inputs: Record<string, string | Uint8Array | (string | Uint8Array)[]>;
  outputs: Uint8Array[];
  attributes?: Record<string, Uint8Array>;
  blocks?: Uint8Array[];
}

export function milOp(o: MilOpSpec): Uint8Array {
  const inputs = Object.entries(o.inputs).map(([param, arg]) => {
    const list = Array.isArray(arg) ? arg : [arg];
    return pb.msg(2, milEntry(param, concat(...list.map((a) => (typeof a === 'string' ? bindName(a) : bindValue(a))))));
  });
  const attrs = Object.entries(o.attributes ?? {}).map(([k, v]) => pb.msg(5, milEntry(k, v)));
  return concat(
    pb.string(1, o.type),
    ...inputs,
    ...o.outputs.map((x) => pb.bytes(3, x)),
    ...(o.blocks ?? []).map((b) => pb.bytes(4, b)),
    ...attrs,
  );
}

export const milConst = (name: string, dims: number[], value: Uint8Array) =>
  milOp({
    type: 'const',
    inputs: {},
    outputs: [milNamed(name, dims)],
    attributes: { name: pb.msg(3, pb.msg(1, pb.msg(4, pb.string(1, name)))), val: value },
  });

export const milBlock = (ops: Uint8Array[], outputs: string[], inputs: Uint8Array[] = []) =>
  concat(
    ...inputs.map((i) => pb.bytes(1, i)),
    ...outputs.map((o) => pb.string(2, o)),
    ...ops.map((op) => pb.bytes(3, op)),
  );

/** A blob v2 weight file: 64-byte header, then per blob 64 bytes of metadata and its 64-aligned data. */
export function milWeightFile(blobs: number[][]): { bytes: Uint8Array; offsets: number[] } {
  const parts: number[] = [];
  const offsets: number[] = [];
  const header = new Uint8Array(64);
  new DataView(header.buffer).setUint32(0, blobs.length, true);
  new DataView(header.buffer).setUint32(4, 2, true);
  parts.push(...header);
  for (const values of blobs) {
    offsets.push(parts.length);
    const meta = new Uint8Array(64);
    const dv = new DataView(meta.buffer);
    dv.setUint32(0, 0xdeadbeef, true);
    dv.setUint32(4, 1, true);
    dv.setBigUint64(8, BigInt(values.length * 4), true);
    dv.setBigUint64(16, BigInt(parts.length + 64), true);
    parts.push(...meta);
    const data = new Uint8Array(Math.ceil((values.length * 4) / 64) * 64);
    values.forEach((v, i) => new DataView(data.buffer).setFloat32(i * 4, v, true));
    parts.push(...data);
  }
  return { bytes: Uint8Array.from(parts), offsets };
}

/**
 * An ML Program classifier as coremltools lays it out: conv (inline weights) → relu → reduce_mean → linear whose
 * weight is in weights/weight.bin → a `cond` whose two blocks are sub-graphs, then softmax.
 */
export function tinyMilModel(): { model: Uint8Array; weights: Uint8Array } {
  const fcWeight = Array.from({ length: 10 * 8 }, (_, i) => i / 100);
  const { bytes: weights, offsets } = milWeightFile([fcWeight]);
  const ops = [
    milConst('conv_w', [8, 3, 3, 3], milFloats(Array.from({ length: 216 }, (_, i) => (i % 9) / 9))),
    milOp({
      type: 'conv',
      inputs: {
        x: 'image',
        weight: 'conv_w',
        strides: milInts([1, 1]),
        pad_type: pb.msg(3, pb.msg(1, pb.msg(4, pb.string(1, 'same')))),
      },
      outputs: [milNamed('conv_0', [1, 8, 32, 32])],
    }),
    milOp({ type: 'relu', inputs: { x: 'conv_0' }, outputs: [milNamed('relu_0', [1, 8, 32, 32])] }),
    milOp({
      type: 'reduce_mean',
      inputs: { x: 'relu_0', axes: milInts([2, 3]) },
      outputs: [milNamed('pooled', [1, 8])],
    }),
    milConst('fc_w', [10, 8], milBlobValue(offsets[0])),
    milOp({ type: 'linear', inputs: { x: 'pooled', weight: 'fc_w' }, outputs: [milNamed('logits', [1, 10])] }),
    milOp({ type: 'reduce_max', inputs: { x: 'logits' }, outputs: [milNamed('peak', [1], 1)] }),
    milOp({
      type: 'cond',
      inputs: { pred: 'peak' },
      outputs: [milNamed('picked', [1, 10])],
      blocks: [
        milBlock(
          [milOp({ type: 'sigmoid', inputs: { x: 'logits' }, outputs: [milNamed('then_out', [1, 10])] })],
          ['then_out'],
        ),
        milBlock(
          [milOp({ type: 'identity', inputs: { x: 'logits' }, outputs: [milNamed('else_out', [1, 10])] })],
          ['else_out'],
        ),
      ],
    }),
    milOp({ type: 'softmax', inputs: { x: 'picked', axis: milInts([-1]) }, outputs: [milNamed('probs', [1, 10])] }),
  ];
  const fn = concat(
    pb.bytes(1, milNamed('image', [1, 3, 32, 32])),
    pb.string(2, 'CoreML5'),
    pb.msg(3, milEntry('CoreML5', milBlock(ops, ['probs']))),
  );
  const program = concat(pb.varint(1, 1), pb.msg(2, milEntry('main', fn)));
  return {
    model: coremlModel(6, [arrayFeature('image', [1, 3, 32, 32])], [arrayFeature('probs', [1, 10])], 502, program),
    weights,
  };
}
