import type { Kernel } from './kernel.ts';
import { CONSTANT_KERNELS } from './kernels-constant.ts';
import { CONTROL_KERNELS } from './kernels-control.ts';
import { ELEMENTWISE_KERNELS } from './kernels-elementwise.ts';
import { INDEXING_KERNELS } from './kernels-indexing.ts';
import { NN_KERNELS } from './kernels-nn.ts';
import { REDUCE_KERNELS } from './kernels-reduce.ts';
import { SHAPE_KERNELS } from './kernels-shape.ts';

/** Every shape kernel by ONNX op name (op families are disjoint: no name is registered twice). */
export const KERNELS: ReadonlyMap<string, Kernel> = new Map([
  ...ELEMENTWISE_KERNELS,
  ...NN_KERNELS,
  ...SHAPE_KERNELS,
  ...INDEXING_KERNELS,
  ...REDUCE_KERNELS,
  ...CONSTANT_KERNELS,
  ...CONTROL_KERNELS,
]);
