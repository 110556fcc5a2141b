import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { coremlDecoder } from '../../src/decode/coreml/index.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { decoders } from '../../src/decode/registry.ts';
import { ValueFlag, nodeInputIds, str, type GraphIR } from '../../src/graph/ir.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { repoRoot } from '../helpers/models.ts';
import {
  arrayFeature,
  coremlModel,
  network,
  nnLayer,
  tinyCoremlModel,
  tinyMilModel,
  weightFloat,
} from '../helpers/coreml-proto.ts';
import { concat, pb } from '../helpers/protobuf-writer.ts';

/* No .mlmodel ships in a Debian or npm package reachable here: tests/fixtures/coreml/tiny_branch.mlmodel is written
 * by tinyCoremlModel() (tests/helpers/coreml-proto.ts) from the field numbers of Core ML's Model.proto. */
const bytes = new Uint8Array(readFileSync(resolve(repoRoot, 'tests/fixtures/coreml/tiny_branch.mlmodel')));
const nodeNamed = (ir: GraphIR, name: string) => {
  for (let n = 0; n < ir.nodeCount; n++) if (str(ir, ir.nodeName[n]) === name) return n;
  throw new Error(`no node ${name}`);
};
const dec = async (b: Uint8Array) => (await coremlDecoder.open(new BufferSource(b, 'bad.mlmodel'))).ir;

describe('Core ML .mlmodel', () => {
  it('the fixture is what the helper writes, and only the coreml decoder claims it', () => {
    expect(bytes).toEqual(tinyCoremlModel());
    for (const name of ['tiny_branch.mlmodel', 'model.bin'])
      expect(decoders.filter((d) => d.sniff(bytes, name)).map((d) => d.id)).toEqual(['coreml']);
  });

  it('one node per layer, typed by the layer field; branch networks are sub-graphs; weights by offset', async () => {
    const source = new BufferSource(bytes, 'tiny_branch.mlmodel');
    const model = await coremlDecoder.open(source);
    const ir = model.ir;
    expect(validateIR(ir)).toEqual([]);
    expect(ir.nodeCount).toBe(11);
    expect(ir.graphCount).toBe(3);
    const s = summarize(ir);
    expect(s.ops).toEqual({
      activation: 1,
      batchnorm: 1,
      branch: 1,
      convolution: 1,
      flatten: 1,
      innerProduct: 1,
      pooling: 1,
      softmax: 1,
      unary: 1,
    });
    expect(s.inputs).toEqual([{ name: 'image', type: 'uint8', shape: [3, 32, 32] }]);
    expect(s.outputs).toEqual([{ name: 'probs', type: 'float32', shape: [10] }]);
    expect(s.initializers).toBe(7);
    expect(ir.metadata).toMatchObject({
      specificationVersion: '4',
      modelType: 'neuralNetwork',
      author: 'strata tests',
    });
    const branch = nodeNamed(ir, 'branch');
    expect(ir.graphParentNode[1]).toBe(branch);
    expect(str(ir, ir.nodeOp[nodeNamed(ir, 'else_custom')])).toBe('layer_999');
    // Conv weights: [out, in, kh, kw], float32, payload recorded where it is in the file.
    const conv = nodeNamed(ir, 'conv1');
    const w = nodeInputIds(ir, conv)[1];
    expect(str(ir, ir.valueName[w])).toBe('conv1.weights');
    expect(ir.valueFlags[w] & ValueFlag.Initializer).toBeTruthy();
    expect(Array.from(ir.valueShapeDims.subarray(ir.valueShapeOffsets[w], ir.valueShapeOffsets[w + 1]))).toEqual([
      8, 3, 3, 3,
    ]);
    expect(ir.valueDataLength[w]).toBe(216 * 4);
    const dv = new DataView(bytes.buffer, bytes.byteOffset + ir.valueDataOffset[w], 16);
    expect([0, 1, 2, 3].map((i) => dv.getFloat32(i * 4, true))).toEqual([0, 1 / 7, 2 / 7, 3 / 7].map(Math.fround));
    const fcW = nodeInputIds(ir, nodeNamed(ir, 'fc'))[1];
    expect(Array.from(ir.valueShapeDims.subarray(ir.valueShapeOffsets[fcW], ir.valueShapeOffsets[fcW + 1]))).toEqual([
      10, 2048,
    ]);
    const details = await model.nodeDetails(conv);
    expect(details.attributes.slice(0, 7).map((a) => `${a.name}=${a.value}`)).toEqual([
      'outputChannels=8',
      'kernelChannels=3',
      'nGroups=1',
      'kernelSize=[3, 3]',
      'stride=[1, 1]',
      'same=set',
      'hasBias=1',
    ]);
    expect((await model.nodeDetails(nodeNamed(ir, 'relu1'))).attributes).toEqual([
      { name: 'activation', type: 'oneof', value: 'ReLU' },
    ]);
    expect((await model.nodeDetails(nodeNamed(ir, 'pool1'))).attributes[0].value).toBe('MAX');
  });

  it('a pipeline is flattened: neural networks by layer, other models as one node', async () => {
    const nn = coremlModel(
      4,
      [arrayFeature('x', [4])],
      [arrayFeature('y', [4])],
      500,
      network(nnLayer('fc', ['x'], ['y'], 140, pb.msg(20, weightFloat(16)))),
    );
    const scaler = coremlModel(4, [arrayFeature('y', [4])], [arrayFeature('z', [4])], 604, new Uint8Array(0));
    const pipe = coremlModel(
      5,
      [arrayFeature('x', [4])],
      [arrayFeature('z', [4])],
      202,
      concat(pb.bytes(1, nn), pb.bytes(1, scaler)),
    );
    const ir = await dec(pipe);
    expect(validateIR(ir)).toEqual([]);
    expect(summarize(ir).ops).toEqual({ innerProduct: 1, scaler: 1 });
    expect(summarize(ir).outputs.map((o) => o.name)).toEqual(['z']);
  });

  it('truncated and corrupt models fail with a DecodeError naming the file and field', async () => {
    await expect(dec(bytes.subarray(0, bytes.length - 50))).rejects.toThrow(DecodeError);
    await expect(dec(bytes.subarray(0, 60))).rejects.toMatchObject({ name: 'DecodeError', file: 'bad.mlmodel' });
    const corrupt = bytes.slice();
    corrupt[3] = 0x7f;
    await expect(dec(corrupt)).rejects.toThrow(DecodeError);
    const twice = coremlModel(
      4,
      [arrayFeature('x', [4])],
      [],
      500,
      network(nnLayer('a', ['x'], ['y'], 175), nnLayer('b', ['x'], ['y'], 175)),
    );
    await expect(dec(twice)).rejects.toThrow(/"y" is produced twice/);
  });
});

describe('Core ML ML Program (mlProgram)', () => {
  const named = (ir: GraphIR, name: string, kind: 'node' | 'value') => {
    const [count, names] = kind === 'node' ? [ir.nodeCount, ir.nodeName] : [ir.valueCount, ir.valueName];
    for (let i = 0; i < count; i++) if (str(ir, names[i]) === name) return i;
    throw new Error(`no ${kind} ${name}`);
  };

  it('operations become nodes, const operations constants, cond blocks sub-graphs; blob weights located in weight.bin', async () => {
    const { model, weights } = tinyMilModel();
    expect(decoders.filter((d) => d.sniff(model, 'model.mlmodel')).map((d) => d.id)).toEqual(['coreml']);
    const source = new BufferSource(model, 'model.mlmodel', new Map([['weight.bin', weights]]));
    const opened = await coremlDecoder.open(source);
    const ir = opened.ir;
    expect(validateIR(ir, { fileSize: model.length })).toEqual([]);
    const s = summarize(ir);
    expect(s.ops).toEqual({ cond: 1, conv: 1, linear: 1, reduce_max: 1, reduce_mean: 1, relu: 1, softmax: 1 });
    expect(s.initializers).toBe(2);
    expect(s.parameters).toBe(216 + 80);
    expect(s.inputs).toEqual([{ name: 'image', type: 'float32', shape: [1, 3, 32, 32] }]);
    expect(s.outputs.map((o) => o.name)).toEqual(['probs']);
    expect(ir.metadata).toMatchObject({ modelType: 'mlProgram', opset: 'CoreML5', weights: 'located in weight.bin' });
    expect(Array.from(nodeInputIds(ir, named(ir, 'conv_0', 'node')), (v) => str(ir, ir.valueName[v]))).toEqual([
      'image',
      'conv_w',
    ]);
    // The cond node owns its two blocks; each reads `logits` from the enclosing scope.
    const cond = named(ir, 'picked', 'node');
    const subs = Array.from({ length: ir.graphCount }, (_, g) => g).filter((g) => ir.graphParentNode[g] === cond);
    expect(subs.length).toBe(2);
    // Inline weights preview from the model file, blob weights from weight.bin.
    const convW = await tensorPreview(source, ir, named(ir, 'conv_w', 'value'));
    expect(convW.values.slice(0, 3)).toEqual(['0', '0.111111', '0.222222']);
    const fcW = await tensorPreview(source, ir, named(ir, 'fc_w', 'value'));
    expect(fcW.values.slice(0, 3)).toEqual(['0', '0.0100000', '0.0200000']);
    const details = await opened.nodeDetails(named(ir, 'conv_0', 'node'));
    expect(details.attributes.map((a) => `${a.name}=${a.value}`)).toEqual([
      'x=image',
      'weight=conv_w',
      'strides=[1, 1]',
      'pad_type="same"',
    ]);
  });

  it('without weight.bin, blob weights keep their shapes and say why they cannot be previewed', async () => {
    const { model } = tinyMilModel();
    const ir = (await coremlDecoder.open(new BufferSource(model, 'model.mlmodel'))).ir;
    expect(summarize(ir).parameters).toBe(296);
    expect(ir.metadata.weights).toMatch(/weight.bin not opened/);
    // Inside an .mlpackage the weights folder sits beside model.mlmodel.
    const { weights } = tinyMilModel();
    const packaged = (
      await coremlDecoder.open(new BufferSource(model, 'model.mlmodel', new Map([['weights/weight.bin', weights]])))
    ).ir;
    expect(packaged.metadata.weights).toBe('located in weight.bin');
  });
});
