/**
 * ONNX op families that several passes treat alike (shape inference, its attribute needs, the cost model), named
 * once so the passes cannot disagree on which ops belong.
 */

/** Reductions over the `axes` of their input, with `keepdims`. */
export const REDUCE_AXIS_OPS: readonly string[] = [
  'ReduceMean',
  'ReduceSum',
  'ReduceMax',
  'ReduceMin',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceLogSum',
  'ReduceLogSumExp',
  'ReduceSumSquare',
];
