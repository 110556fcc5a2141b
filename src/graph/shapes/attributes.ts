import { REDUCE_AXIS_OPS } from './op-families.ts';

/** What shape inference reads of node attributes; `NodeAttributes` (decode/onnx/attributes.ts) implements it. */
export interface AttributeLookup {
  /** Null when the node's attributes were not decoded (then attribute-dependent kernels give up). */
  of(node: number): ReadonlyMap<string, unknown> | null;
  int(node: number, name: string, fallback: number): number;
  ints(node: number, name: string): number[] | null;
  string(node: number, name: string, fallback: string): string;
  tensor(node: number, name: string): { dtype: number; dims: number[]; data: Float64Array | null } | null;
  /** Index of a graph attribute among the node's sub-graphs (If: `then_branch`), or -1. */
  graph(node: number, name: string): number;
}

/** Op types whose inference reads attributes: decode these nodes' attributes before inference. */
export const ATTRIBUTE_OPS: ReadonlySet<string> = new Set([
  'Conv',
  'ConvTranspose',
  'ConvInteger',
  'QLinearConv',
  'MaxPool',
  'AveragePool',
  'LpPool',
  'Gemm',
  'Transpose',
  'Concat',
  'Split',
  'Gather',
  'GatherND',
  'Unsqueeze',
  'Squeeze',
  'Shape',
  'Slice',
  'Pad',
  'Flatten',
  'Reshape',
  ...REDUCE_AXIS_OPS,
  'ArgMax',
  'ArgMin',
  'Resize',
  'Upsample',
  'Cast',
  'ConstantOfShape',
  'Constant',
  'TopK',
  'DepthToSpace',
  'SpaceToDepth',
  'LayerNormalization',
  'EyeLike',
  'LSTM',
  'GRU',
  'RNN',
  'If',
]);
