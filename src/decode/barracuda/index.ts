import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';
import type { AttributeView, DecodeOptions, ModelDecoder, NodeDetails } from '../decoder.ts';
import { BinaryCursor } from './reader.ts';

/**
 * Unity Barracuda `.nn` (format versions 16–19, as Barracuda's ModelWriter writes them): an int64 version; inputs
 * (name, shape); output names; memories; then per layer its name, type, fused activation, pad/stride/pool, axis,
 * alpha/beta, input names and datasets (name, shape, offset in floats, item size, length); then every dataset's
 * floats in one block (aligned to 16 bytes from version 19); then importer info. Each layer is a node, except
 * `Load` layers, which are the constants they hold; dataset bytes are located, not read.
 */

const FLOAT32 = 1;
/** Version 19 aligns the weight block to this many bytes. */
const WEIGHTS_ALIGNMENT = 16;
const SUPPORTED = new Set([16, 17, 18, 19]);
const LOAD = 255;
const ACTIVATION = 50;

const LAYER_TYPES: Readonly<Record<number, string>> = {
  0: 'Nop', 1: 'Dense', 2: 'MatMul', 20: 'Conv2D', 21: 'DepthwiseConv2D', 22: 'Conv2DTrans', 23: 'Upsample2D', 25: 'MaxPool2D',
  26: 'AvgPool2D', 27: 'GlobalMaxPool2D', 28: 'GlobalAvgPool2D', 29: 'Border2D', 30: 'Conv3D', 32: 'Conv3DTrans', 33: 'Upsample3D',
  35: 'MaxPool3D', 36: 'AvgPool3D', 37: 'GlobalMaxPool3D', 38: 'GlobalAvgPool3D', 39: 'Border3D', 50: 'Activation', 51: 'ScaleBias',
  52: 'Normalization', 53: 'LRN', 60: 'Dropout', 64: 'RandomNormal', 65: 'RandomUniform', 66: 'Multinomial', 67: 'OneHot',
  68: 'TopKIndices', 69: 'TopKValues', 100: 'Add', 101: 'Sub', 102: 'Mul', 103: 'Div', 104: 'Pow', 110: 'Min', 111: 'Max', 112: 'Mean',
  120: 'ReduceL1', 121: 'ReduceL2', 122: 'ReduceLogSum', 123: 'ReduceLogSumExp', 124: 'ReduceMax', 125: 'ReduceMean', 126: 'ReduceMin',
  127: 'ReduceProd', 128: 'ReduceSum', 129: 'ReduceSumSquare', 140: 'Greater', 141: 'GreaterEqual', 142: 'Less', 143: 'LessEqual',
  144: 'Equal', 145: 'LogicalOr', 146: 'LogicalAnd', 147: 'LogicalNot', 148: 'LogicalXor', 149: 'Where', 150: 'Sign',
  160: 'Pad2DReflect', 161: 'Pad2DSymmetric', 162: 'Pad2DEdge', 163: 'ArgMax', 164: 'ArgMin', 199: 'ConstantOfShape', 200: 'Flatten',
  201: 'Reshape', 202: 'Transpose', 203: 'Squeeze', 204: 'Unsqueeze', 205: 'Gather', 206: 'DepthToSpace', 207: 'SpaceToDepth',
  208: 'Expand', 209: 'Resample2D', 210: 'Concat', 211: 'StridedSlice', 212: 'Tile', 213: 'Shape', 214: 'NonMaxSuppression',
  215: 'LSTM', 255: 'Load',
};

const ACTIVATIONS: Readonly<Record<number, string>> = {
  0: 'None', 1: 'Relu', 2: 'Softmax', 3: 'Tanh', 4: 'Sigmoid', 5: 'Elu', 6: 'Relu6', 7: 'LeakyRelu', 8: 'Selu', 9: 'Swish',
  10: 'LogSoftmax', 11: 'Softplus', 12: 'Softsign', 13: 'PRelu', 20: 'Hardmax', 21: 'HardSigmoid', 100: 'Abs', 101: 'Neg',
  102: 'Ceil', 103: 'Clip', 104: 'Floor', 105: 'Round', 110: 'Reciprocal', 111: 'Sqrt', 112: 'Pow', 113: 'Exp', 114: 'Log',
  200: 'Acos', 201: 'Acosh', 202: 'Asin', 203: 'Asinh', 204: 'Atan', 205: 'Atanh', 206: 'Cos', 207: 'Cosh', 208: 'Sin',
  209: 'Sinh', 210: 'Tan', 211: 'Erf',
};

const typeName = (t: number) => LAYER_TYPES[t] ?? `Type${t}`;
const activationName = (a: number) => ACTIVATIONS[a] ?? `Activation${a}`;

interface DataSet {
  name: string;
  shape: number[];
  /** In floats, from the start of the weight block. */
  offset: number;
  itemSize: number;
  length: number;
}

interface BarracudaLayer {
  name: string;
  type: number;
  activation: number;
  pad: number[];
  stride: number[];
  pool: number[];
  axis: number;
  alpha: number;
  beta: number;
  inputs: string[];
  datasets: DataSet[];
  start: number;
  end: number;
}

/** Barracuda's TensorShape: 4 (NHWC) or 8 (SRNTDHWC) dims; the unused S, R, T, D of an 8D shape are dropped. */
function shapeOf(dims: number[]): number[] {
  if (dims.length === 8 && dims[0] === 1 && dims[1] === 1 && dims[3] === 1 && dims[4] === 1) return [dims[2], dims[5], dims[6], dims[7]];
  return dims;
}

async function readLayer(r: BinaryCursor): Promise<BarracudaLayer> {
  const start = r.pos;
  const name = await r.string('layer name');
  const type = await r.i32();
  const activation = await r.i32();
  await r.i32Array('reserved');
  await r.i32Array('reserved');
  const pad = await r.i32Array('pad');
  const stride = await r.i32Array('stride');
  const pool = await r.i32Array('pool');
  const axis = await r.i32();
  const alpha = await r.f32();
  const beta = await r.f32();
  await r.i32Array('reserved');
  const inputs = await r.stringArray('layer inputs');
  const datasets: DataSet[] = [];
  const n = await r.count(24, 'dataset');
  for (let i = 0; i < n; i++) {
    const dsName = await r.string('dataset name');
    const shape = shapeOf(await r.i32Array('dataset shape'));
    const offset = await r.i64();
    const itemSize = await r.i32();
    const length = await r.i32();
    if (offset < 0 || length < 0) r.fail(`dataset "${dsName}" has offset ${offset} and length ${length}`);
    datasets.push({ name: dsName, shape, offset, itemSize, length });
  }
  return { name, type, activation, pad, stride, pool, axis, alpha, beta, inputs, datasets, start, end: r.pos };
}

async function readVersion(r: BinaryCursor): Promise<number> {
  const raw = await r.i64();
  const version = raw % 0xff;
  if (!SUPPORTED.has(version)) r.fail(`Barracuda format version ${version} is not supported (16 to 19 are)`);
  return version;
}

async function decodeBarracuda(source: ByteSource, options: DecodeOptions = {}): Promise<GraphIR> {
  let section = 'header';
  const r = new BinaryCursor(source, () => section);
  const version = await readVersion(r);
  const b = new GraphBuilder('barracuda');
  b.beginGraph('barracuda', GraphKind.Main);
  b.metadata.version = String(version);

  section = 'inputs';
  const inputCount = await r.count(8, 'input');
  for (let i = 0; i < inputCount; i++) {
    const name = await r.string('input name');
    const shape = shapeOf(await r.i32Array('input shape'));
    const v = b.value(0, name);
    b.setValueType(v, FLOAT32, shape.map((d) => (d < 0 ? -1 : d)));
    b.addGraphInput(0, v);
  }
  section = 'outputs';
  const outputs = await r.stringArray('outputs');
  section = 'memories';
  const memoryCount = await r.count(12, 'memory');
  for (let i = 0; i < memoryCount; i++) {
    const shape = shapeOf(await r.i32Array('memory shape'));
    const input = await r.string('memory input');
    const output = await r.string('memory output');
    // A memory is a recurrent state: read as an input, written back from an output.
    const v = b.value(0, input);
    b.setValueType(v, FLOAT32, shape);
    b.addGraphInput(0, v);
    outputs.push(output);
  }

  section = 'layers';
  const layerCount = await r.count(40, 'layer');
  const layers: BarracudaLayer[] = [];
  for (let i = 0; i < layerCount; i++) {
    section = `layer ${i}`;
    layers.push(await readLayer(r));
    if ((i & 255) === 255) {
      options.checkCancelled?.();
      options.onProgress?.(r.pos, source.size);
    }
  }

  // The weight block follows the layers; every dataset is located in it, and it must fit in the file.
  let weightsStart = r.pos;
  if (version >= 19) weightsStart += WEIGHTS_ALIGNMENT - (weightsStart % WEIGHTS_ALIGNMENT);
  let floats = 0;
  for (const l of layers) for (const d of l.datasets) floats += d.length;
  const weightsEnd = weightsStart + floats * 4;
  const located = weightsEnd <= source.size && layers.every((l) => l.datasets.every((d) => d.itemSize === 4 && d.offset + d.length <= floats));
  if (!located) b.metadata.weights = `the weight block (${floats} floats) does not fit in the file: shapes only`;

  const constant = (d: DataSet, name = d.name): number => {
    const v = b.value(0, name);
    b.addFlags(v, ValueFlag.Initializer);
    b.setValueType(v, FLOAT32, d.shape);
    if (located) b.setValueData(v, weightsStart + d.offset * 4, d.length * 4);
    return v;
  };
  for (const l of layers) {
    if (l.type === LOAD) {
      if (l.datasets.length === 1) constant(l.datasets[0], l.name);
      else for (const d of l.datasets) constant(d);
      continue;
    }
    const ins = l.inputs.map((name) => b.value(0, name));
    for (const d of l.datasets) ins.push(constant(d));
    const op = l.type === ACTIVATION ? activationName(l.activation) : typeName(l.type);
    b.addNode(0, l.name, op, ins, [b.value(0, l.name)], l.start, l.end - l.start);
  }
  for (const name of outputs) b.addGraphOutput(0, b.value(0, name));

  section = 'importer info';
  if (weightsEnd + 4 <= source.size) {
    try {
      r.pos = weightsEnd;
      const irSource = await r.string('source');
      const irVersion = await r.string('version');
      const producer = await r.string('producer');
      if (irSource) b.metadata.source = irSource;
      if (irVersion) b.metadata.ir_version = irVersion;
      if (producer) b.metadata.producer = producer;
    } catch (err) {
      // Older writers end at the weights; the importer info is optional.
      if (!(err instanceof DecodeError)) throw err;
    }
  }
  options.onProgress?.(source.size, source.size);
  return b.finish();
}

async function barracudaNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  const offset = ir.nodeSourceOffset[node];
  if (!(offset >= 0)) return { attributes: [] };
  const r = new BinaryCursor(source, () => 'layer');
  r.pos = offset;
  const l = await readLayer(r);
  const attributes: AttributeView[] = [];
  const list = (name: string, v: number[]) => v.length && attributes.push({ name, type: 'int[]', value: `[${v.join(', ')}]` });
  if (l.type !== ACTIVATION && l.activation) attributes.push({ name: 'activation', type: 'enum', value: activationName(l.activation) });
  list('pad', l.pad);
  list('stride', l.stride);
  list('pool', l.pool);
  if (l.axis !== -1) attributes.push({ name: 'axis', type: 'int', value: String(l.axis) });
  if (l.alpha !== 1) attributes.push({ name: 'alpha', type: 'float', value: String(l.alpha) });
  if (l.beta !== 0) attributes.push({ name: 'beta', type: 'float', value: String(l.beta) });
  return { attributes };
}

/** An int64 version 16–19 (upper bytes zero) followed by a small input count. */
export function looksLikeBarracuda(head: Uint8Array): boolean {
  if (head.length < 16) return false;
  if (!SUPPORTED.has(head[0])) return false;
  for (let i = 1; i < 8; i++) if (head[i] !== 0) return false;
  const inputs = head[8] | (head[9] << 8) | (head[10] << 16) | (head[11] << 24);
  return inputs >= 0 && inputs < 1024;
}

export const barracudaDecoder: ModelDecoder = {
  id: 'barracuda',
  name: 'Unity Barracuda',
  extensions: ['.nn'],
  sniff(head, fileName) {
    return /\.nn$/i.test(fileName) && looksLikeBarracuda(head);
  },
  decode: decodeBarracuda,
  nodeDetails: barracudaNodeDetails,
};
