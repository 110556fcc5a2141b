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

export const imageFeature = (name: string, w: number, h: number) => concat(pb.string(1, name), pb.msg(3, pb.msg(4, pb.varint(1, w), pb.varint(2, h), pb.varint(3, 20))));
export const arrayFeature = (name: string, shape: number[]) => concat(pb.string(1, name), pb.msg(3, pb.msg(5, pb.packed(1, shape), pb.varint(2, 65568))));

export function nnLayer(name: string, inputs: string[], outputs: string[], typeField: number, params: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concat(pb.string(1, name), ...inputs.map((s) => pb.string(2, s)), ...outputs.map((s) => pb.string(3, s)), pb.bytes(typeField, params));
}

export const network = (...layers: Uint8Array[]) => concat(...layers.map((l) => pb.bytes(1, l)));

export function coremlModel(version: number, inputs: Uint8Array[], outputs: Uint8Array[], typeField: number, body: Uint8Array): Uint8Array {
  const description = concat(...inputs.map((f) => pb.bytes(1, f)), ...outputs.map((f) => pb.bytes(10, f)), pb.msg(100, pb.string(3, 'strata tests'), pb.string(4, 'MIT')));
  return concat(pb.varint(1, version), pb.bytes(2, description), pb.bytes(typeField, body));
}

/**
 * A small image classifier: convolution (float32 weights + bias) → activation ReLU → pooling → batchnorm →
 * branch (if: activation; else: an unknown layer kind) → flatten → innerProduct (float16 weights) → softmax.
 */
export function tinyCoremlModel(): Uint8Array {
  const conv = concat(pb.varint(1, 8), pb.varint(2, 3), pb.varint(10, 1), pb.packed(20, [3, 3]), pb.packed(30, [1, 1]), pb.msg(51),
    pb.varint(70, 1), pb.msg(90, weightFloat(8 * 3 * 3 * 3)), pb.msg(91, weightFloat(8)));
  const relu = pb.msg(10);
  const pool = concat(pb.varint(1, 0), pb.packed(10, [2, 2]), pb.packed(20, [2, 2]), pb.msg(30));
  const bn = concat(pb.varint(1, 8), pb.float(10, 0.001), ...[15, 16, 17, 18].map((f) => pb.msg(f, weightFloat(8))));
  const branch = concat(
    pb.msg(1, network(nnLayer('if_relu', ['bn'], ['branched'], 130, relu))),
    pb.msg(2, network(nnLayer('else_custom', ['bn'], ['branched'], 999))),
  );
  const fc = concat(pb.varint(1, 8 * 16 * 16), pb.varint(2, 10), pb.varint(10, 0), pb.msg(20, weightHalf(10 * 8 * 16 * 16)));
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
