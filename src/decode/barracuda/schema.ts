import type { BinaryCursor } from './reader.ts';

/** Barracuda's layer and activation codes and the layer record layout (shared by the decoder and details). */

/** Layer types the decoder treats specially: constants (`Load`) and standalone activations. */
export const LOAD = 255;
export const ACTIVATION = 50;

const LAYER_TYPES: Readonly<Record<number, string>> = {
  0: 'Nop',
  1: 'Dense',
  2: 'MatMul',
  20: 'Conv2D',
  21: 'DepthwiseConv2D',
  22: 'Conv2DTrans',
  23: 'Upsample2D',
  25: 'MaxPool2D',
  26: 'AvgPool2D',
  27: 'GlobalMaxPool2D',
  28: 'GlobalAvgPool2D',
  29: 'Border2D',
  30: 'Conv3D',
  32: 'Conv3DTrans',
  33: 'Upsample3D',
  35: 'MaxPool3D',
  36: 'AvgPool3D',
  37: 'GlobalMaxPool3D',
  38: 'GlobalAvgPool3D',
  39: 'Border3D',
  50: 'Activation',
  51: 'ScaleBias',
  52: 'Normalization',
  53: 'LRN',
  60: 'Dropout',
  64: 'RandomNormal',
  65: 'RandomUniform',
  66: 'Multinomial',
  67: 'OneHot',
  68: 'TopKIndices',
  69: 'TopKValues',
  100: 'Add',
  101: 'Sub',
  102: 'Mul',
  103: 'Div',
  104: 'Pow',
  110: 'Min',
  111: 'Max',
  112: 'Mean',
  120: 'ReduceL1',
  121: 'ReduceL2',
  122: 'ReduceLogSum',
  123: 'ReduceLogSumExp',
  124: 'ReduceMax',
  125: 'ReduceMean',
  126: 'ReduceMin',
  127: 'ReduceProd',
  128: 'ReduceSum',
  129: 'ReduceSumSquare',
  140: 'Greater',
  141: 'GreaterEqual',
  142: 'Less',
  143: 'LessEqual',
  144: 'Equal',
  145: 'LogicalOr',
  146: 'LogicalAnd',
  147: 'LogicalNot',
  148: 'LogicalXor',
  149: 'Where',
  150: 'Sign',
  160: 'Pad2DReflect',
  161: 'Pad2DSymmetric',
  162: 'Pad2DEdge',
  163: 'ArgMax',
  164: 'ArgMin',
  199: 'ConstantOfShape',
  200: 'Flatten',
  201: 'Reshape',
  202: 'Transpose',
  203: 'Squeeze',
  204: 'Unsqueeze',
  205: 'Gather',
  206: 'DepthToSpace',
  207: 'SpaceToDepth',
  208: 'Expand',
  209: 'Resample2D',
  210: 'Concat',
  211: 'StridedSlice',
  212: 'Tile',
  213: 'Shape',
  214: 'NonMaxSuppression',
  215: 'LSTM',
  255: 'Load',
};

const ACTIVATIONS: Readonly<Record<number, string>> = {
  0: 'None',
  1: 'Relu',
  2: 'Softmax',
  3: 'Tanh',
  4: 'Sigmoid',
  5: 'Elu',
  6: 'Relu6',
  7: 'LeakyRelu',
  8: 'Selu',
  9: 'Swish',
  10: 'LogSoftmax',
  11: 'Softplus',
  12: 'Softsign',
  13: 'PRelu',
  20: 'Hardmax',
  21: 'HardSigmoid',
  100: 'Abs',
  101: 'Neg',
  102: 'Ceil',
  103: 'Clip',
  104: 'Floor',
  105: 'Round',
  110: 'Reciprocal',
  111: 'Sqrt',
  112: 'Pow',
  113: 'Exp',
  114: 'Log',
  200: 'Acos',
  201: 'Acosh',
  202: 'Asin',
  203: 'Asinh',
  204: 'Atan',
  205: 'Atanh',
  206: 'Cos',
  207: 'Cosh',
  208: 'Sin',
  209: 'Sinh',
  210: 'Tan',
  211: 'Erf',
};

export const typeName = (t: number) => LAYER_TYPES[t] ?? `Type${t}`;
export const activationName = (a: number) => ACTIVATIONS[a] ?? `Activation${a}`;
/** The op a standalone Activation layer is shown as: its function, with Barracuda's linear `None` as `Identity`. */
export const activationOp = (a: number) => (a === 0 ? 'Identity' : activationName(a));

export interface DataSet {
  name: string;
  shape: number[];
  /** In floats, from the start of the weight block. */
  offset: number;
  itemSize: number;
  length: number;
}

export interface BarracudaLayer {
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
export function shapeOf(dims: number[]): number[] {
  if (dims.length === 8 && dims[0] === 1 && dims[1] === 1 && dims[3] === 1 && dims[4] === 1)
    return [dims[2], dims[5], dims[6], dims[7]];
  return dims;
}

export async function readLayer(r: BinaryCursor): Promise<BarracudaLayer> {
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
