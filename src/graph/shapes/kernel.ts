import type { AttributeLookup } from './attributes.ts';

/** What every shape kernel shares: the per-node context it reads and writes through, dtype codes, limits. */

// dtype codes (ONNX TensorProto.DataType)
export const FLOAT = 1;
export const UINT8 = 2;
export const INT32 = 6;
export const INT64 = 7;
export const BOOL = 9;
export const isIntegerDtype = (t: number) => (t >= 2 && t <= 7) || t === 9 || t === 12 || t === 13;

export type Shape = number[];
/** Inferred ranks above this are treated as unknown (a hostile Reshape target of length 1e9 allocates nothing). */
export const MAX_RANK = 1024;
/** Computed tensor contents are tracked up to this many elements. */
export const MAX_VALUES = 4096;

/** One node's view of its inputs and where its outputs go; kernels read and write through it. */
export interface Ctx {
  node: number;
  ins: Int32Array;
  outs: Int32Array;
  /** Attributes of this node, or null when not decoded. */
  attrs: AttributeLookup | null;
  shape(k: number): Shape | null;
  val(k: number): Float64Array | null;
  dtype(k: number): number;
  set(k: number, shape: Shape | null, dtype?: number, values?: Float64Array | null): void;
  /** Per sub-graph held by this node: its output value ids. */
  subgraphOutputs(): Uint32Array[];
  /** Shape of any value (sub-graph outputs). */
  valueShape(v: number): Shape | null;
  valueDtype(v: number): number;
}

export type Kernel = (c: Ctx) => void;

/** A possibly negative axis as an index into `rank` dims; throws when out of range (the node stays unknown). */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) throw new Error('axis out of range');
  return a;
}

/** Axes from input k (newer opsets) or attribute `attr`: null when unknown, undefined when given by neither. */
export function axesInput(c: Ctx, k: number, attr: string): number[] | null | undefined {
  // From opset 13 (Reduce*: 18) axes are an input; before that an attribute. undefined = absent in both.
  if (c.ins.length > k && c.ins[k] >= 0) {
    const v = c.val(k);
    return v ? Array.from(v) : null;
  }
  if (!c.attrs) return null;
  return c.attrs.ints(c.node, attr) ?? undefined;
}

/** Op name → kernel; one kernel may serve several ops. */
export type KernelTable = Map<string, Kernel>;

/** Registration helper for a kernel-family file: `def(['Relu', 'Tanh'], kernel)`. */
export function definer(table: KernelTable): (ops: readonly string[], kernel: Kernel) => void {
  return (ops, kernel) => {
    for (const op of ops) table.set(op, kernel);
  };
}
