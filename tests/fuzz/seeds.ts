import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  TensorDataType,
  concat,
  graphProto,
  modelProto,
  pb,
  tensorProto,
  valueInfoProto,
} from '../helpers/protobuf-writer.ts';
import { DT, encodeGraphDef, encodeSavedModel, floatConst, shape, typeAttr } from '../helpers/tf-proto.ts';
import { writeZip } from '../helpers/zip-writer.ts';
import type { Seed, SeedKind } from './mutate.ts';

/**
 * Seed files per format id (the `id` of a decoder in src/decode/registry.ts). A decoder registered there is
 * fuzzed with the seeds listed under its id; add a row here when a format is added. Paths are relative to this
 * file, pointing into the shared model folder next to the repository.
 */
export const SEED_FILES: Record<string, { path: string; kind: SeedKind }[]> = {
  onnx: [
    { path: '../../../shared/models/onnx-conformance/node/test_if/model.onnx', kind: 'protobuf' },
    { path: '../../../shared/models/onnx-conformance/node/test_loop11/model.onnx', kind: 'protobuf' },
    { path: '../../../shared/models/onnx-conformance/node/test_scan9_sum/model.onnx', kind: 'protobuf' },
    { path: '../../../shared/models/onnx-conformance/node/test_loop16_seq_none/model.onnx', kind: 'protobuf' },
    { path: '../../../shared/models/onnx-conformance/node/test_if_opt/model.onnx', kind: 'protobuf' },
    { path: '../../../shared/models/onnx-conformance/node/test_constant/model.onnx', kind: 'protobuf' },
    {
      path: '../../../shared/models/onnx-conformance/pytorch-converted/test_Conv3d_groups/model.onnx',
      kind: 'protobuf',
    },
    {
      path: '../../../shared/models/onnx-conformance/pytorch-operator/test_operator_conv/model.onnx',
      kind: 'protobuf',
    },
  ],
  tflite: [{ path: '../../../shared/models/tflite/face_detection_full_range.tflite', kind: 'flatbuffer' }],
  darknet: [
    { path: '../../../shared/models/darknet/yolov3-tiny.cfg', kind: 'text' },
    { path: '../../../shared/models/darknet/tiny.cfg', kind: 'text' },
  ],
  caffe: [{ path: '../../../shared/models/caffe/SqueezeNet_deploy.prototxt', kind: 'text' }],
  // Formats no package here ships a model of: hand-written fixtures (binary seeds are generated in loadSeeds).
  tensorflow: [
    { path: '../fixtures/tensorflow/tiny_graph.pbtxt', kind: 'text' },
    // Fetched by tests/real-models/fetch.mjs (npm handtrackjs): a real binary GraphDef with a while loop.
    {
      path: '../../.cache/real-models/handtrack/package/models/web/ssdlitemobilenetv2/tensorflowjs_model.pb',
      kind: 'protobuf',
    },
  ],
  // Fetched by tests/real-models/fetch.mjs (npm @vladmandic/human): a real TF.js graph model.
  tfjs: [{ path: '../../.cache/real-models/human/package/models/antispoof.json', kind: 'text' }],
  // HDF5 seeds written by h5py (tests/fixtures/keras/make_h5_fixtures.py): addresses and lengths are 64-bit
  // little-endian fields, which the 'flatbuffer' mutations aim at.
  keras: [
    { path: '../fixtures/keras/two_tower_config.json', kind: 'text' },
    { path: '../fixtures/keras/mlp_latest.h5', kind: 'flatbuffer' },
    { path: '../fixtures/keras/mlp_userblock.h5', kind: 'flatbuffer' },
  ],
  openvino: [
    { path: '../fixtures/openvino/tiny_classifier.xml', kind: 'text' },
    { path: '../../../shared/models/openvino/face-detection-retail-0005.xml', kind: 'text' },
    { path: '../../../shared/models/openvino/bge-large-en-v1.5_openvino_tokenizer.xml', kind: 'text' },
  ],
  mxnet: [
    { path: '../fixtures/mxnet/tiny_resnet-symbol.json', kind: 'text' },
    { path: '../../../shared/models/mxnet/retinaface.json', kind: 'text' },
  ],
  ncnn: [
    { path: '../fixtures/ncnn/tiny_fire.param', kind: 'text' },
    {
      path: '../../.cache/real-models/upscayl/package/dist/upscaler/sub-classes/model-manager/models/realesrgan-x4fast.param',
      kind: 'text',
    },
  ],
  nnef: [
    { path: '../fixtures/nnef/graph.nnef', kind: 'text' },
    { path: '../../../shared/models/nnef/inception_v1.nnef/graph.nnef', kind: 'text' },
    { path: '../../../shared/models/nnef/conv3x3/graph.nnef', kind: 'text' },
  ],
  // Written by tests/helpers/paddle-proto.ts (tinyPaddleProgram) from framework.proto field numbers.
  paddle: [
    { path: '../fixtures/paddle/tiny_cond.pdmodel', kind: 'protobuf' },
    { path: '../../../shared/models/paddle/tengine_test_data/inference.pdmodel', kind: 'protobuf' },
  ],
  tnn: [
    { path: '../fixtures/tnn/tiny_mobile.tnnproto', kind: 'text' },
    { path: '../../../shared/models/tnn/lp_model.opt.tnnproto', kind: 'text' },
    { path: '../../../shared/models/tnn/mobilenet_v2.tnnproto', kind: 'text' },
  ],
  // Written by tests/helpers/barracuda-writer.ts (tinyBarracudaModel) in the layout of Barracuda's ModelWriter.
  barracuda: [
    { path: '../fixtures/barracuda/tiny_classifier.nn', kind: 'flatbuffer' },
    { path: '../fixtures/barracuda/tiny_classifier_v16.nn', kind: 'flatbuffer' },
    { path: '../../../shared/models/barracuda/3DBall.nn', kind: 'flatbuffer' },
    { path: '../../../shared/models/barracuda/continuous2vis8vec2action.nn', kind: 'flatbuffer' },
  ],
  // Written by tests/helpers/coreml-proto.ts (tinyCoremlModel) from Core ML Model.proto field numbers.
  coreml: [
    { path: '../fixtures/coreml/tiny_branch.mlmodel', kind: 'protobuf' },
    // Written by tinyMilModel(): an ML Program with inline and blob-file weights and a cond with two blocks.
    { path: '../fixtures/coreml/tiny_mlprogram.mlmodel', kind: 'protobuf' },
    { path: '../../../shared/models/coreml/TinyDrawingEmbedding.mlmodel', kind: 'protobuf' },
    {
      path: '../../../shared/models/coreml/superpoint.mlpackage/Data/com.apple.CoreML/model.mlmodel',
      kind: 'protobuf',
    },
  ],
  // TorchScript archives written by python3-torch (generated into .cache on first use, see loadSeeds). Zip
  // directories are 32-bit offsets and sizes, which the 'flatbuffer' mutations aim at.
  pytorch: [
    { path: '../../.cache/models/torchscript/mlp_traced.pt', kind: 'flatbuffer' },
    { path: '../../.cache/models/torchscript/resnetish_scripted.pt', kind: 'flatbuffer' },
    // torch.save checkpoints (zip and legacy pickle) for the state_dict decoder, which shares the pytorch id.
    { path: '../../../shared/models/pytorch/cnn_training_checkpoint.pt', kind: 'flatbuffer' },
    { path: '../../../shared/models/pytorch/gpt2_tiny_pytorch_model.bin', kind: 'flatbuffer' },
  ],
  // Weights-only checkpoints: length-prefixed headers (safetensors), 64-bit counts and offsets (GGUF).
  safetensors: [
    { path: '../../../shared/models/hf/tiny_gpt2/model.safetensors', kind: 'flatbuffer' },
    { path: '../../../shared/models/safetensors/dtype-samples/overall.safetensors', kind: 'text' },
  ],
  gguf: [
    { path: '../../../shared/models/gguf/superpoint.gguf', kind: 'flatbuffer' },
    { path: '../../../shared/models/gguf/llama-2-tiny-random.gguf', kind: 'flatbuffer' },
  ],
  huggingface: [{ path: '../../../shared/models/hf/tiny_gpt2/config.json', kind: 'text' }],
};

/** File names the fuzzed sources get, so that extension-based detection routes them to the right decoder. */
export const FILE_NAMES: Record<string, string> = {
  onnx: 'fuzz-model.onnx',
  tflite: 'fuzz-model.tflite',
  darknet: 'fuzz-model.cfg',
  caffe: 'fuzz-model.prototxt',
  tensorflow: 'fuzz-model.pbtxt',
  keras: 'fuzz-model.keras',
  openvino: 'fuzz-model.xml',
  mxnet: 'fuzz-model-symbol.json',
  ncnn: 'fuzz-model.param',
  nnef: 'graph.nnef',
  paddle: 'fuzz-model.pdmodel',
  tnn: 'fuzz-model.tnnproto',
  coreml: 'fuzz-model.mlmodel',
  barracuda: 'fuzz-model.nn',
  tfjs: 'model.json',
  pytorch: 'fuzz-model.pt',
  safetensors: 'fuzz-model.safetensors',
  gguf: 'fuzz-model.gguf',
  huggingface: 'config.json',
};

export function fileNameFor(format: string): string {
  return FILE_NAMES[format] ?? `fuzz-model.${format}`;
}

/** Seeds that exist on this machine for a format, plus generated ones. */
export function loadSeeds(format: string): Seed[] {
  const out: Seed[] = [];
  if (format === 'pytorch') {
    const dir = fileURLToPath(new URL('../../.cache/models/torchscript/', import.meta.url));
    if (!existsSync(`${dir}reference.json`)) {
      execFileSync(
        '/usr/bin/python3',
        [fileURLToPath(new URL('../helpers/torchscript_models.py', import.meta.url)), dir],
        { stdio: 'pipe', timeout: 300_000 },
      );
    }
  }
  for (const s of SEED_FILES[format] ?? []) {
    const path = fileURLToPath(new URL(s.path, import.meta.url));
    if (!existsSync(path)) continue;
    out.push({
      label: s.path.replace(/^(\.\.\/)+shared\/models\//, ''),
      bytes: new Uint8Array(readFileSync(path)),
      kind: s.kind,
    });
  }
  if (format === 'onnx') out.push({ label: 'generated/all-features.onnx', bytes: allFeaturesOnnx(), kind: 'protobuf' });
  if (format === 'caffe')
    out.push({
      label: 'generated/tiny.caffemodel',
      bytes: tinyCaffemodel(),
      kind: 'protobuf',
      fileName: 'fuzz-model.caffemodel',
    });
  if (format === 'tensorflow') {
    out.push({ label: 'generated/frozen.pb', bytes: tinyGraphDef(), kind: 'protobuf', fileName: 'fuzz-model.pb' });
    out.push({
      label: 'generated/saved_model.pb',
      bytes: tinySavedModel(),
      kind: 'protobuf',
      fileName: 'saved_model.pb',
    });
  }
  if (format === 'keras') {
    const config = readFileSync(fileURLToPath(new URL('../fixtures/keras/two_tower_config.json', import.meta.url)));
    out.push({
      label: 'generated/two_tower.keras',
      kind: 'flatbuffer',
      bytes: writeZip([
        { name: 'metadata.json', data: '{"keras_version": "3.3.3"}' },
        { name: 'config.json', data: config, deflate: true },
        { name: 'model.weights.h5', data: new Uint8Array(64) },
      ]),
    });
  }
  return out;
}

/**
 * A binary Caffe NetParameter (field numbers from caffe.proto): inputs, current-style layers with blobs (shape and
 * legacy num/channels/height/width), an in-place layer, and one legacy V1 layer, so the .caffemodel parser is
 * fuzzed too (the shared models only have .prototxt files).
 */
export function tinyCaffemodel(): Uint8Array {
  const floats = (n: number) => {
    const b = new Uint8Array(n * 4);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < n; i++) dv.setFloat32(i * 4, i / 7, true);
    return b;
  };
  const blob = (dims: number[]) =>
    concat(pb.msg(7, pb.packed(1, dims)), pb.bytes(5, floats(dims.reduce((a, b) => a * b, 1))));
  const legacyBlob = concat(
    pb.varint(1, 1),
    pb.varint(2, 1),
    pb.varint(3, 4),
    pb.varint(4, 8),
    pb.bytes(5, floats(32)),
  );
  const layer = (name: string, type: string, bottoms: string[], tops: string[], ...extra: Uint8Array[]) =>
    pb.msg(
      100,
      pb.string(1, name),
      pb.string(2, type),
      ...bottoms.map((b) => pb.string(3, b)),
      ...tops.map((t) => pb.string(4, t)),
      ...extra,
    );
  return concat(
    pb.string(1, 'fuzznet'),
    pb.string(3, 'data'),
    pb.varint(4, 1),
    pb.varint(4, 3),
    pb.varint(4, 8),
    pb.varint(4, 8),
    layer('conv1', 'Convolution', ['data'], ['conv1'], pb.msg(7, blob([4, 3, 3, 3])), pb.msg(7, blob([4]))),
    layer('relu1', 'ReLU', ['conv1'], ['conv1']),
    layer('pool1', 'Pooling', ['conv1'], ['pool1']),
    layer('fc', 'InnerProduct', ['pool1'], ['fc'], pb.msg(7, legacyBlob)),
    layer('split', 'Split', ['fc'], ['a', 'b']),
    layer('sum', 'Eltwise', ['a', 'b'], ['sum']),
    pb.msg(
      2,
      pb.string(4, 'old_relu'),
      pb.varint(5, 18),
      pb.string(2, 'sum'),
      pb.string(3, 'out'),
      pb.msg(6, blob([2])),
    ),
  );
}

/**
 * A small ONNX model that touches every branch of the decoder: functions, nested If/Loop bodies that read outer
 * names, a Constant node, a sparse initializer, external data, symbolic and sequence types, metadata, doc strings
 * and a custom-domain op. Its field boundaries give the truncation cases their variety.
 */
export function allFeaturesOnnx(): Uint8Array {
  const loopBody = graphProto({
    name: 'loop_body',
    nodes: [
      { op: 'Add', name: 'inner_add', inputs: ['v_in', 'w'], outputs: ['v_out'] },
      { op: 'Identity', name: 'cond_pass', inputs: ['cond_in'], outputs: ['cond_out'] },
    ],
    inputs: [
      { name: 'iter', elemType: TensorDataType.INT64, shape: [] },
      { name: 'cond_in', elemType: 9, shape: [] },
      { name: 'v_in', shape: ['N', 4] },
    ],
    outputs: [
      { name: 'cond_out', elemType: 9, shape: [] },
      { name: 'v_out', shape: ['N', 4] },
    ],
  });
  const thenBranch = graphProto({
    name: 'then',
    nodes: [
      {
        op: 'Loop',
        name: 'loop',
        inputs: ['trip', 'cond', 'x'],
        outputs: ['looped'],
        attrs: [{ name: 'body', g: loopBody }],
      },
    ],
    outputs: [{ name: 'looped', shape: ['N', 4] }],
  });
  const elseBranch = graphProto({
    name: 'else',
    nodes: [{ op: 'Neg', name: 'neg', inputs: ['x'], outputs: ['negated'] }],
    outputs: [{ name: 'negated' }],
  });
  const sparse = concat(
    pb.msg(1, tensorProto({ name: 'sparse_w', dims: [2], floats: [1, 2] })),
    pb.msg(2, tensorProto({ name: '', dims: [2], dataType: TensorDataType.INT64, raw: new Uint8Array(16) })),
    pb.packed(3, [4, 4]),
  );
  const graph = concat(
    graphProto({
      name: 'main',
      nodes: [
        {
          op: 'Constant',
          name: 'const',
          outputs: ['c'],
          attrs: [{ name: 'value', t: { name: 'c_value', dims: [4], floats: [1, 2, 3, 4] } }],
        },
        { op: 'Add', name: 'block0/add', inputs: ['x', 'c'], outputs: ['a'], doc: 'adds' },
        { op: 'MatMul', name: 'block0/mm', inputs: ['a', 'w'], outputs: ['m'] },
        {
          op: 'If',
          name: 'block1/if',
          inputs: ['cond'],
          outputs: ['y'],
          attrs: [
            { name: 'then_branch', g: thenBranch },
            { name: 'else_branch', g: elseBranch },
          ],
        },
        {
          op: 'Conv',
          name: 'block1/conv',
          inputs: ['m', 'ext_w', ''],
          outputs: ['conv'],
          attrs: [
            { name: 'pads', ints: [1, 1, 1, 1] },
            { name: 'auto_pad', s: 'NOTSET' },
          ],
        },
        {
          op: 'FusedThing',
          domain: 'com.example',
          name: 'custom',
          inputs: ['conv', 'sparse_w'],
          outputs: ['z'],
          attrs: [
            { name: 'alpha', f: 0.5 },
            { name: 'k', i: -3 },
          ],
        },
        { op: 'local_fn', domain: 'local', name: 'call', inputs: ['z'], outputs: ['out'] },
      ],
      initializers: [
        { name: 'w', dims: [4, 4], raw: new Uint8Array(64) },
        { name: 'trip', dims: [], dataType: TensorDataType.INT64, raw: new Uint8Array(8) },
        { name: 'ext_w', dims: [4, 4, 1, 1], external: { location: 'weights.bin', offset: '0', length: '64' } },
      ],
      inputs: [
        { name: 'x', shape: ['N', 4] },
        { name: 'cond', elemType: 9, shape: [] },
        { name: 'w', shape: [4, 4] },
      ],
      outputs: [{ name: 'out', shape: ['N', 4] }, { name: 'y' }],
      valueInfo: [{ name: 'a', shape: ['N', 4], doc: 'sum' }],
      doc: 'main graph',
    }),
    pb.msg(15, sparse),
    // A sequence-typed value_info: TypeProto.sequence_type { elem_type { tensor_type { elem_type: FLOAT } } }.
    pb.msg(13, pb.string(1, 'seq'), pb.msg(2, pb.msg(4, pb.msg(1, pb.msg(1, pb.varint(1, 1)))))),
    pb.msg(13, valueInfoProto({ name: 'm', shape: [-1, 4] })),
  );
  return modelProto({
    graph,
    irVersion: 8,
    producer: 'strata-fuzz',
    doc: 'all features',
    opset: [{ version: 17 }, { domain: 'com.example', version: 1 }, { domain: 'local', version: 1 }],
    metadata: { author: 'fuzz', note: 'seed' },
    functions: [
      {
        name: 'local_fn',
        domain: 'local',
        inputs: ['fi'],
        outputs: ['fo'],
        nodes: [
          { op: 'Relu', name: 'fn_relu', inputs: ['fi'], outputs: ['fr'] },
          { op: 'Abs', name: 'fn_abs', inputs: ['fr'], outputs: ['fo'] },
        ],
      },
    ],
  });
}

/** A frozen GraphDef (field numbers from graph.proto / node_def.proto / attr_value.proto / tensor.proto). */
export function tinyGraphDef(): Uint8Array {
  const F = typeAttr(DT.FLOAT);
  return encodeGraphDef({
    node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: F, shape: { shape: shape(-1, 4) } } },
      floatConst('w', [4, 3]),
      {
        name: 'mm',
        op: 'MatMul',
        input: ['x', 'w'],
        attr: { T: F, _output_shapes: { list: { shape: [shape(-1, 3)] } } },
      },
      { name: 'sp', op: 'Split', input: ['dim', 'mm'], attr: { T: F, num_split: { i: 3 } } },
      {
        name: 'dim',
        op: 'Const',
        attr: { dtype: typeAttr(DT.INT32), value: { tensor: { dtype: DT.INT32, tensorShape: shape(), intVal: [1] } } },
      },
      { name: 'out', op: 'AddN', input: ['sp', 'sp:2', '^w'], attr: { T: F, N: { i: 2 } } },
    ],
    library: {
      function: [
        {
          signature: {
            name: 'f',
            inputArg: [{ name: 'a', type: DT.FLOAT }],
            outputArg: [{ name: 'b', type: DT.FLOAT }],
          },
          nodeDef: [{ name: 'neg', op: 'Neg', input: ['a'], attr: { T: F } }],
          ret: { b: 'neg:y:0' },
        },
      ],
    },
    versions: { producer: 27 },
  });
}

/** A SavedModel whose meta graph holds the graph above. */
export function tinySavedModel(): Uint8Array {
  return encodeSavedModel({
    savedModelSchemaVersion: 1,
    metaGraphs: [
      {
        metaInfoDef: { tags: ['serve'] },
        graphDef: {
          node: [
            { name: 'x', op: 'Placeholder', attr: { dtype: typeAttr(DT.FLOAT) } },
            { name: 'y', op: 'Relu', input: ['x'] },
          ],
        },
      },
    ],
  });
}
