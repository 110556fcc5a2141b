import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { decoders, openModelFile } from '../../src/decode/registry.ts';
import { tensorflowDecoder } from '../../src/decode/tensorflow/index.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import {
  GraphKind,
  ValueFlag,
  graphInputIds,
  graphOutputIds,
  nodeInputIds,
  nodeOutputIds,
  str,
  valueShape,
  type GraphIR,
} from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { readFileSync } from 'node:fs';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { realModel } from '../helpers/real-models.ts';
import { DT, encodeGraphDef, encodeSavedModel, floatConst, shape, shapesAttr, typeAttr } from '../helpers/tf-proto.ts';

/*
 * The real file is the binary GraphDef of a TF Object Detection API SSDLite-MobileNetV2, serialized by TensorFlow for
 * tfjs-converter 0.x and shipped by npm handtrackjs (tests/real-models/sources.json); its weights live in tfjs
 * shards, so its Const nodes carry dtype and shape only. TensorFlow itself is not installable here, so the other
 * models are encoded with protobufjs from the published .proto field numbers: a frozen CNN as TF 1.x
 * freeze_graph writes it, and a TF 2.x SavedModel whose main graph calls a library function.
 */

const HANDTRACK = 'package/models/web/ssdlitemobilenetv2/';

describe('TensorFlow GraphDef: real SSDLite-MobileNetV2 (npm handtrackjs 0.0.13)', () => {
  it('decodes 519 nodes with the op counts a protobuf walk of the file gives, and one Const per weight', async () => {
    const source = await NodeFileSource.open(realModel('handtrack', `${HANDTRACK}tensorflowjs_model.pb`));
    const { model, decoder } = await openModelFile(source);
    const { ir } = model;
    expect(decoder.id).toBe('tensorflow');
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    expect(s.nodes).toBe(519);
    expect(s.ops).toMatchObject({
      Const: 184,
      Add: 68,
      Conv2D: 55,
      Relu6: 43,
      Mul: 28,
      DepthwiseConv2dNative: 17,
      Pack: 15,
      Reshape: 15,
      BiasAdd: 12,
      AddN: 10,
      StridedSlice: 9,
      Shape: 8,
      Enter: 7,
      Switch: 3,
      Merge: 3,
      NextIteration: 3,
      LoopCond: 1,
      Placeholder: 1,
    });
    expect(s.inputs).toEqual([{ name: 'image_tensor:0', type: 'uint8', shape: [-1, -1, -1, 3] }]);
    // The tfjs weights manifest lists every Const's weight with its shape: same count, same number of elements.
    const manifest = JSON.parse(readFileSync(realModel('handtrack', `${HANDTRACK}weights_manifest.json`), 'utf8')) as {
      weights: { shape: number[] }[];
    }[];
    const weights = manifest.flatMap((g) => g.weights);
    expect(s.initializers).toBe(weights.length);
    expect(s.parameters).toBe(weights.reduce((n, w) => n + w.shape.reduce((a, d) => a * d, 1), 0));
    // Scopes become groups: the MobileNet feature extractor and the box predictors.
    const names = new Set(Array.from({ length: ir.nodeCount }, (_, n) => str(ir, ir.nodeName[n]).split('/')[0]));
    expect(names).toContain('FeatureExtractor');
    expect(names).toContain('Postprocessor');
    await source.close?.();
  });
});

const F = typeAttr(DT.FLOAT);
const frozen = {
  node: [
    { name: 'input', op: 'Placeholder', attr: { dtype: F, shape: { shape: shape(-1, 28, 28, 1) } } },
    floatConst('conv1/weights', [3, 3, 1, 8]),
    {
      name: 'conv1/Conv2D',
      op: 'Conv2D',
      input: ['input', 'conv1/weights'],
      device: '/device:CPU:0',
      attr: {
        T: F,
        strides: { list: { i: [1, 1, 1, 1] } },
        padding: { s: new TextEncoder().encode('SAME') },
        _output_shapes: shapesAttr([-1, 28, 28, 8]),
      },
    },
    floatConst('conv1/biases', [8]),
    { name: 'conv1/BiasAdd', op: 'BiasAdd', input: ['conv1/Conv2D', 'conv1/biases'], attr: { T: F } },
    { name: 'conv1/Relu', op: 'Relu', input: ['conv1/BiasAdd'], attr: { T: F } },
    {
      name: 'pool1/MaxPool',
      op: 'MaxPool',
      input: ['conv1/Relu'],
      attr: { T: F, ksize: { list: { i: [1, 2, 2, 1] } } },
    },
    {
      name: 'split/dim',
      op: 'Const',
      attr: { dtype: typeAttr(DT.INT32), value: { tensor: { dtype: DT.INT32, tensorShape: shape(), intVal: [3] } } },
    },
    { name: 'split/Split', op: 'Split', input: ['split/dim', 'pool1/MaxPool'], attr: { T: F, num_split: { i: 2 } } },
    {
      name: 'concat/axis',
      op: 'Const',
      attr: { dtype: typeAttr(DT.INT32), value: { tensor: { dtype: DT.INT32, tensorShape: shape(), intVal: [3] } } },
    },
    {
      name: 'concat',
      op: 'ConcatV2',
      input: ['split/Split:1', 'split/Split', 'concat/axis'],
      attr: { T: F, N: { i: 2 } },
    },
    {
      name: 'flatten/shape',
      op: 'Const',
      attr: {
        dtype: typeAttr(DT.INT32),
        value: { tensor: { dtype: DT.INT32, tensorShape: shape(2), intVal: [-1, 1568] } },
      },
    },
    { name: 'flatten/Reshape', op: 'Reshape', input: ['concat', 'flatten/shape'], attr: { T: F } },
    floatConst('fc/weights', [1568, 10]),
    {
      name: 'fc/MatMul',
      op: 'MatMul',
      input: ['flatten/Reshape', 'fc/weights'],
      attr: { T: F, transpose_a: { b: false } },
    },
    floatConst('fc/biases', [10]),
    { name: 'fc/BiasAdd', op: 'BiasAdd', input: ['fc/MatMul', 'fc/biases'], attr: { T: F } },
    { name: 'check/Assert', op: 'Assert', input: ['^conv1/Relu'], attr: { T: { list: { type: [DT.FLOAT] } } } },
    {
      name: 'output/Softmax',
      op: 'Softmax',
      input: ['fc/BiasAdd', '^check/Assert'],
      attr: { T: F, _output_shapes: shapesAttr([-1, 10]) },
    },
    { name: 'init', op: 'NoOp' },
  ],
  versions: { producer: 27 },
};

const savedModel = {
  savedModelSchemaVersion: 1,
  metaGraphs: [
    {
      metaInfoDef: { tags: ['serve'], tensorflowVersion: '2.11.0' },
      graphDef: {
        node: [
          { name: 'serving_default_x', op: 'Placeholder', attr: { dtype: F, shape: { shape: shape(-1, 4) } } },
          { name: 'dense/kernel', op: 'VarHandleOp', attr: { dtype: F, shape: { shape: shape(4, 2) } } },
          {
            name: 'StatefulPartitionedCall',
            op: 'StatefulPartitionedCall',
            input: ['serving_default_x', 'dense/kernel'],
            attr: { f: { func: { name: '__inference_signature_wrapper_42' } }, Tout: { list: { type: [DT.FLOAT] } } },
          },
          { name: 'saver_filename', op: 'Placeholder', attr: { dtype: typeAttr(7) } },
          { name: 'NoOp', op: 'NoOp' },
        ],
        library: {
          function: [
            {
              signature: {
                name: '__inference_signature_wrapper_42',
                inputArg: [
                  { name: 'x', type: DT.FLOAT },
                  { name: 'kernel', type: DT.RESOURCE },
                ],
                outputArg: [{ name: 'identity', type: DT.FLOAT }],
              },
              nodeDef: [
                { name: 'ReadVariableOp', op: 'ReadVariableOp', input: ['kernel'], attr: { dtype: F } },
                { name: 'MatMul', op: 'MatMul', input: ['x', 'ReadVariableOp:value:0'], attr: { T: F } },
                { name: 'Relu', op: 'Relu', input: ['MatMul:product:0'], attr: { T: F } },
                { name: 'Identity', op: 'Identity', input: ['Relu:activations:0', '^ReadVariableOp'], attr: { T: F } },
              ],
              ret: { identity: 'Identity:output:0' },
            },
          ],
        },
        versions: { producer: 1205 },
      },
      signatureDef: {
        serving_default: {
          methodName: 'tensorflow/serving/predict',
          inputs: { x: { name: 'serving_default_x:0', dtype: DT.FLOAT } },
        },
      },
    },
  ],
};

const textGraph = `
node {
  name: "input"
  op: "Placeholder"
  attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 3 } } } }
}
node {
  name: "w"
  op: "Const"
  attr { key: "dtype" value { type: DT_FLOAT } }
  attr {
    key: "value"
    value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 3 } dim { size: 2 } } tensor_content: "\\000\\000\\200?\\000\\000\\200?\\000\\000\\200?\\000\\000\\200?\\000\\000\\200?\\000\\000\\200?" } }
  }
}
node {
  name: "dense/MatMul"
  op: "MatMul"
  input: "input"
  input: "w"
  attr { key: "T" value { type: DT_FLOAT } }
  attr { key: "_output_shapes" value { list { shape { dim { size: -1 } dim { size: 2 } } } } }
}
node {
  name: "dense/Tanh"
  op: "Tanh"
  input: "dense/MatMul:0"
  attr { key: "T" value { type: DT_FLOAT } }
}
versions { producer: 38 }
`;

const names = (ir: GraphIR, ids: ArrayLike<number>) => Array.from(ids, (v) => (v < 0 ? '' : str(ir, ir.valueName[v])));
const nodeByName = (ir: GraphIR, name: string) => {
  for (let n = 0; n < ir.nodeCount; n++) if (str(ir, ir.nodeName[n]) === name) return n;
  throw new Error(`no node ${name}`);
};

describe('TensorFlow frozen GraphDef (.pb)', () => {
  const bytes = encodeGraphDef(frozen);

  it('is claimed by the tensorflow decoder only', () => {
    for (const name of ['frozen_inference_graph.pb', 'model.bin']) {
      expect(
        decoders.filter((d) => d.sniff(bytes.subarray(0, 4096), name)).map((d) => d.id),
        name,
      ).toEqual(['tensorflow']);
    }
  });

  it('one node per NodeDef, op types, names verbatim, inputs/outputs, constants with offsets', async () => {
    const source = new BufferSource(bytes, 'frozen.pb');
    const { model, decoder } = await openModelFile(source);
    const { ir } = model;
    expect(decoder.id).toBe('tensorflow');
    expect(validateIR(ir, { fileSize: bytes.length })).toEqual([]);
    const s = summarize(ir);
    expect(s.nodes).toBe(20);
    expect(s.ops).toEqual({
      Assert: 1,
      BiasAdd: 2,
      ConcatV2: 1,
      Const: 7,
      Conv2D: 1,
      MatMul: 1,
      MaxPool: 1,
      NoOp: 1,
      Placeholder: 1,
      Relu: 1,
      Reshape: 1,
      Softmax: 1,
      Split: 1,
    });
    expect(s.initializers).toBe(7);
    expect(s.parameters).toBe(72 + 8 + 1 + 1 + 2 + 15680 + 10);
    expect(s.inputs).toEqual([{ name: 'input:0', type: 'float32', shape: [-1, 28, 28, 1] }]);
    expect(s.outputs).toEqual([{ name: 'output/Softmax:0', type: 'float32', shape: [-1, 10] }]);
    expect(ir.metadata.producer).toBe('27');

    // Split: two outputs, read by ConcatV2 in swapped order; control inputs are not data edges.
    const split = nodeByName(ir, 'split/Split');
    expect(names(ir, nodeOutputIds(ir, split))).toEqual(['split/Split:0', 'split/Split:1']);
    expect(names(ir, nodeInputIds(ir, nodeByName(ir, 'concat')))).toEqual([
      'split/Split:1',
      'split/Split:0',
      'concat/axis:0',
    ]);
    expect(names(ir, nodeInputIds(ir, nodeByName(ir, 'output/Softmax')))).toEqual(['fc/BiasAdd:0']);
    expect(nodeOutputIds(ir, nodeByName(ir, 'init')).length).toBe(0);
    const conv = nodeByName(ir, 'conv1/Conv2D');
    expect(valueShape(ir, nodeOutputIds(ir, conv)[0])).toEqual([-1, 28, 28, 8]);

    // Weights: flagged, typed, and their recorded range holds exactly the tensor_content bytes.
    const w = nodeOutputIds(ir, nodeByName(ir, 'fc/weights'))[0];
    expect(ir.valueFlags[w] & ValueFlag.Initializer).toBeTruthy();
    expect(valueShape(ir, w)).toEqual([1568, 10]);
    expect(ir.valueDataLength[w]).toBe(15680 * 4);
    const payload = bytes.subarray(ir.valueDataOffset[w], ir.valueDataOffset[w] + ir.valueDataLength[w]);
    expect(Array.from(new Float32Array(Uint8Array.from(payload).buffer).subarray(0, 4))).toEqual([0, 1, 2, 3]);
    const preview = await tensorPreview(source, ir, nodeOutputIds(ir, nodeByName(ir, 'flatten/shape'))[0]);
    expect(preview.values).toEqual(['-1', '1568']);
  });

  it('node details decode attributes, device and control inputs on request', async () => {
    const source = new BufferSource(bytes, 'frozen.pb');
    const model = await tensorflowDecoder.open(source);
    const ir = model.ir;
    const conv = await model.nodeDetails(nodeByName(ir, 'conv1/Conv2D'));
    const byName = Object.fromEntries(conv.attributes.map((a) => [a.name, a.value]));
    expect(byName).toMatchObject({
      T: 'DT_FLOAT',
      padding: '"SAME"',
      strides: '[1, 1, 1, 1]',
      _output_shapes: '[[?,28,28,8]]',
      device: '/device:CPU:0',
    });
    const softmax = await model.nodeDetails(nodeByName(ir, 'output/Softmax'));
    expect(softmax.attributes.find((a) => a.name === 'control inputs')?.value).toBe('[check/Assert]');
    const weights = await model.nodeDetails(nodeByName(ir, 'conv1/weights'));
    expect(weights.attributes.find((a) => a.name === 'value')?.value).toBe('DT_FLOAT[3,3,1,8] (288 bytes)');
  });

  it('streams a Const larger than the in-memory limit and records its payload without reading it', async () => {
    const big = encodeGraphDef({
      node: [
        floatConst('big/weights', [4200, 1100]),
        { name: 'id', op: 'Identity', input: ['big/weights'], attr: { T: F } },
      ],
    });
    expect(big.length).toBeGreaterThan(16 << 20);
    let read = 0;
    const source = new BufferSource(big, 'big.pb');
    const counting = {
      ...source,
      name: source.name,
      size: source.size,
      read: (o: number, n: number) => {
        read += Math.min(n, big.length - o);
        return source.read(o, n);
      },
    };
    const model = await tensorflowDecoder.open(counting);
    const ir = model.ir;
    expect(summarize(ir).parameters).toBe(4200 * 1100);
    const v = nodeOutputIds(ir, nodeByName(ir, 'big/weights'))[0];
    expect(ir.valueDataLength[v]).toBe(4200 * 1100 * 4);
    expect(
      new Float32Array(
        Uint8Array.from(big.subarray(ir.valueDataOffset[v] + 4 * 7, ir.valueDataOffset[v] + 4 * 8)).buffer,
      )[0],
    ).toBe(7);
    expect(read).toBeLessThan(8 << 20);
  });

  it('truncated and corrupt files fail with a DecodeError naming the file', async () => {
    for (const cut of [7, 100, bytes.length - 3]) {
      await expect(tensorflowDecoder.open(new BufferSource(bytes.subarray(0, cut), 'cut.pb'))).rejects.toThrow(
        DecodeError,
      );
    }
    const corrupt = bytes.slice();
    corrupt[3] = 0xff; // the first NodeDef's name length now runs past its message
    const err = await tensorflowDecoder.open(new BufferSource(corrupt, 'corrupt.pb')).catch((e) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).describe()).toMatch(/^corrupt\.pb: .*NodeDef/);
    await expect(tensorflowDecoder.open(new BufferSource(new Uint8Array(0), 'empty.pb'))).rejects.toThrow(DecodeError);
  });
});

describe('TensorFlow SavedModel (saved_model.pb)', () => {
  const bytes = encodeSavedModel(savedModel);

  it('is claimed by the tensorflow decoder only (not ONNX, which also starts 08 01 12)', () => {
    for (const name of ['saved_model.pb', 'model.bin']) {
      expect(
        decoders.filter((d) => d.sniff(bytes.subarray(0, 4096), name)).map((d) => d.id),
        name,
      ).toEqual(['tensorflow']);
    }
  });

  it('reads the first meta graph and its function library', async () => {
    const model = await tensorflowDecoder.open(new BufferSource(bytes, 'saved_model.pb'));
    const ir = model.ir;
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    expect(s.nodes).toBe(5);
    expect(s.ops).toEqual({ NoOp: 1, Placeholder: 2, StatefulPartitionedCall: 1, VarHandleOp: 1 });
    expect(s.inputs.map((i) => i.name)).toEqual(['serving_default_x:0', 'saver_filename:0']);
    expect(s.outputs.map((i) => i.name)).toEqual(['StatefulPartitionedCall:0']);
    expect(s.functions).toBe(1);
    expect(ir.metadata).toMatchObject({
      container: 'saved_model',
      tags: 'serve',
      tensorflow_version: '2.11.0',
      meta_graphs: '1',
      producer: '1205',
      signatures: 'serving_default (tensorflow/serving/predict)',
    });

    const fn = 1;
    expect(ir.graphKind[fn]).toBe(GraphKind.Function);
    expect(str(ir, ir.graphName[fn])).toBe('__inference_signature_wrapper_42');
    expect(ir.graphNodeCount[fn]).toBe(4);
    expect(names(ir, graphInputIds(ir, fn))).toEqual(['x', 'kernel']);
    expect(names(ir, graphOutputIds(ir, fn))).toEqual(['Identity:output:0']);
    const matmul = nodeByName(ir, 'MatMul');
    expect(names(ir, nodeInputIds(ir, matmul))).toEqual(['x', 'ReadVariableOp:value:0']);
    expect(names(ir, nodeOutputIds(ir, matmul))).toEqual(['MatMul:product:0']);
  });

  it('a SavedModel cut inside its graph fails cleanly', async () => {
    await expect(tensorflowDecoder.open(new BufferSource(bytes.subarray(0, 60), 'saved_model.pb'))).rejects.toThrow(
      DecodeError,
    );
  });
});

describe('TensorFlow text GraphDef (.pbtxt)', () => {
  const bytes = new TextEncoder().encode(textGraph);

  it('is claimed by the tensorflow decoder only', () => {
    for (const name of ['graph.pbtxt', 'model.txt']) {
      expect(
        decoders.filter((d) => d.sniff(bytes, name)).map((d) => d.id),
        name,
      ).toEqual(['tensorflow']);
    }
  });

  it('decodes nodes, shapes and constants', async () => {
    const source = new BufferSource(bytes, 'graph.pbtxt');
    const model = await tensorflowDecoder.open(source);
    const ir = model.ir;
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    expect(s.nodes).toBe(4);
    expect(s.ops).toEqual({ Const: 1, MatMul: 1, Placeholder: 1, Tanh: 1 });
    expect(s.parameters).toBe(6);
    expect(s.inputs).toEqual([{ name: 'input:0', type: 'float32', shape: [-1, 3] }]);
    expect(s.outputs.map((o) => o.name)).toEqual(['dense/Tanh:0']);
    const details = await model.nodeDetails(nodeByName(ir, 'dense/MatMul'));
    expect(details.attributes.map((a) => `${a.name}=${a.value}`)).toEqual(['T=DT_FLOAT', '_output_shapes=[[?,2]]']);
  });

  it('a broken text graph fails with the line', async () => {
    const err = await tensorflowDecoder.open(new BufferSource(bytes.subarray(0, 200), 'graph.pbtxt')).catch((e) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect(String(err.message)).toMatch(/line \d+/);
  });
});
