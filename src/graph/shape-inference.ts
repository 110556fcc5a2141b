import { ValueFlag, str, type GraphIR } from './ir.ts';

/**
 * Static shape inference over a GraphIR: fills in output shapes (and element types) that the file leaves out.
 * ONNX exports often carry no value_info, so a Conv's output size is not in the file; FLOPs need it.
 *
 * - Pure and synchronous. What it needs from the file is passed in: small constant tensors (`constants`, see
 *   `loadSmallConstants` in `src/profile/analyze.ts`) and decoded node attributes (`attributes`, see
 *   `decodeOnnxAttributes`). Without attributes, ops that need them (Conv strides, Transpose perm, ...) stay
 *   partly unknown; nothing is guessed.
 * - O(nodes + edges): one topological pass; each kernel looks at its own inputs only.
 * - Symbolic dimensions are bound to numbers: `dims` by name, then `batch`/`sequence`-like names, then `defaultDim`.
 * - Small integer tensors are evaluated on the way (Shape → Gather → Unsqueeze → Concat → Reshape chains), up to
 *   `maxValueElements` elements, so Reshape targets computed at run time still resolve.
 * - An op without a kernel, or whose inputs are unknown, leaves its outputs unknown (rank and/or dims -1): an
 *   unknown is never replaced by a guess. Shapes the file states are kept when fully known.
 * - TFLite (and other formats whose decoders record every tensor's shape) need no inference: their shapes pass
 *   through; kernels are keyed by ONNX op names only.
 */

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

export interface ShapeInferenceOptions {
  /**
   * Values for symbolic dimensions by name, e.g. `{ batch: 1, sequence: 128 }`; an unnamed dynamic dim of a graph
   * input is addressed as `<input name>:<axis>` (`{ 'input:1': 512 }`).
   */
  dims?: Record<string, number>;
  /** For symbolic names that are neither given nor batch/sequence-like, and unnamed unknown input dims. Default 1. */
  defaultDim?: number;
  /** Known contents of small constant tensors, by value id. */
  constants?: ReadonlyMap<number, Float64Array>;
  attributes?: AttributeLookup | null;
  /** Largest computed tensor whose contents are tracked. Default 4096 elements. */
  maxValueElements?: number;
}

export const DEFAULT_DIMS: Readonly<Record<string, number>> = { batch: 1, sequence: 128 };

export const enum ShapeSource {
  Unknown = 0,
  File = 1,
  Inferred = 2,
}

export interface InferredShapes {
  valueCount: number;
  /** Per value: start of its dims in `dims`, -1 when even the rank is unknown. */
  shapeStart: Int32Array;
  shapeRank: Int32Array;
  /** Dimension sizes, -1 where unknown. */
  dims: Float64Array;
  /** Element type (ONNX TensorProto code), 0 where unknown. */
  dtype: Uint8Array;
  source: Uint8Array;
  /** Contents of small tensors that were known or computed (constants, shape vectors). */
  values: Map<number, Float64Array>;
  /** Symbolic names of the model's inputs (and names the caller gave) with the numbers they were bound to. */
  bindings: Record<string, number>;
  /** Op type → nodes with an output whose shape stayed (partly) unknown. */
  unresolved: Record<string, number>;
}

/** Shape of a value with -1 for unknown dims, or null when its rank is unknown. */
export function inferredShape(s: InferredShapes, v: number): number[] | null {
  const start = v >= 0 ? s.shapeStart[v] : -1;
  if (start < 0) return null;
  const out: number[] = new Array(s.shapeRank[v]);
  for (let i = 0; i < out.length; i++) out[i] = s.dims[start + i];
  return out;
}

/** Element count of a value whose shape is fully known, else -1. */
export function inferredElementCount(s: InferredShapes, v: number): number {
  const start = v >= 0 ? s.shapeStart[v] : -1;
  if (start < 0) return -1;
  let n = 1;
  for (let i = start, end = start + s.shapeRank[v]; i < end; i++) {
    const d = s.dims[i];
    if (d < 0) return -1;
    n *= d;
  }
  return n;
}

/** Op types whose inference reads attributes: decode these nodes' attributes before inference. */
export const ATTRIBUTE_OPS: ReadonlySet<string> = new Set([
  'Conv', 'ConvTranspose', 'ConvInteger', 'QLinearConv', 'MaxPool', 'AveragePool', 'LpPool', 'Gemm', 'Transpose',
  'Concat', 'Split', 'Gather', 'GatherND', 'Unsqueeze', 'Squeeze', 'Shape', 'Slice', 'Pad', 'Flatten', 'Reshape',
  'ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum',
  'ReduceLogSumExp', 'ReduceSumSquare', 'ArgMax', 'ArgMin', 'Resize', 'Upsample', 'Cast', 'ConstantOfShape',
  'Constant', 'TopK', 'DepthToSpace', 'SpaceToDepth', 'LayerNormalization', 'EyeLike', 'LSTM', 'GRU', 'RNN', 'If',
]);

// dtype codes (ONNX TensorProto.DataType)
const FLOAT = 1;
const UINT8 = 2;
const INT32 = 6;
const INT64 = 7;
const BOOL = 9;
const isIntegerDtype = (t: number) => (t >= 2 && t <= 7) || t === 9 || t === 12 || t === 13;

type Shape = number[];
/** Inferred ranks above this are treated as unknown (a hostile Reshape target of length 1e9 allocates nothing). */
const MAX_RANK = 1024;
/** Computed tensor contents are tracked up to this many elements. */
const MAX_VALUES = 4096;

/** One node's view of its inputs and where its outputs go; kernels read and write through it. */
interface Ctx {
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

type Kernel = (c: Ctx) => void;

export function inferShapes(ir: GraphIR, options: ShapeInferenceOptions = {}): InferredShapes {
  const userDims = options.dims ?? {};
  const defaultDim = options.defaultDim ?? 1;
  const maxVals = options.maxValueElements ?? 4096;
  const attributes = options.attributes ?? null;
  // Null-prototype maps: symbol and op names come from the model (`__proto__`, `constructor` are just names here).
  const bindings: Record<string, number> = Object.create(null);
  const bind = (name: string): number => {
    if (Object.hasOwn(bindings, name)) return bindings[name];
    const v = bindSymbol(name, userDims, defaultDim);
    bindings[name] = v;
    return v;
  };

  const n = ir.valueCount;
  const store = new ShapeStore(n);
  const dtype = new Uint8Array(n);
  const source = new Uint8Array(n);
  const values = new Map<number, Float64Array>(options.constants ?? []);
  const fileKnown = new Uint8Array(n);

  // The model's inputs fix the symbols: every symbolic (or unnamed unknown) dim of a main-graph input gets a number.
  const isModelInput = (v: number) => (ir.valueFlags[v] & ValueFlag.GraphInput) !== 0 && ir.valueGraph[v] === 0;
  for (let v = 0; v < n; v++) {
    if (!isModelInput(v) || !(ir.valueFlags[v] & ValueFlag.HasShape)) continue;
    for (let i = ir.valueShapeOffsets[v]; i < ir.valueShapeOffsets[v + 1]; i++) if (ir.valueShapeSymbols[i] >= 0) bind(str(ir, ir.valueShapeSymbols[i]));
  }
  // Shapes the file states. Elsewhere a symbol the inputs (or the caller) did not fix stays unknown, for inference
  // to fill: value_info symbols such as `unk__3` name sizes that differ from the inputs'.
  const tmp: number[] = [];
  for (let v = 0; v < n; v++) {
    dtype[v] = ir.valueDtype[v];
    if (!(ir.valueFlags[v] & ValueFlag.HasShape)) continue;
    tmp.length = 0;
    let known = 1;
    const isInput = isModelInput(v);
    for (let i = ir.valueShapeOffsets[v]; i < ir.valueShapeOffsets[v + 1]; i++) {
      const sym = ir.valueShapeSymbols[i];
      let d = ir.valueShapeDims[i];
      if (sym >= 0) {
        const name = str(ir, sym);
        d = Object.hasOwn(bindings, name) ? bindings[name] : Object.hasOwn(userDims, name) ? bind(name) : -1;
      }
      if (d < 0 && isInput) {
        // An unnamed dynamic input dim can be set as `<input name>:<axis>`.
        const key = `${str(ir, ir.valueName[v])}:${i - ir.valueShapeOffsets[v]}`;
        d = Object.hasOwn(userDims, key) ? userDims[key] : defaultDim;
        bindings[key] = d;
      }
      if (d < 0) known = 0;
      tmp.push(d);
    }
    store.set(v, tmp);
    source[v] = ShapeSource.File;
    fileKnown[v] = known;
  }

  const ctxShape = (v: number): Shape | null => (v >= 0 ? store.get(v) : null);
  const ctx: Ctx = {
    node: 0,
    ins: new Int32Array(0),
    outs: new Int32Array(0),
    attrs: null,
    shape: (k) => ctxShape(k < ctx.ins.length ? ctx.ins[k] : -1),
    val: (k) => {
      const v = k < ctx.ins.length ? ctx.ins[k] : -1;
      return v >= 0 ? values.get(v) ?? null : null;
    },
    dtype: (k) => {
      const v = k < ctx.ins.length ? ctx.ins[k] : -1;
      return v >= 0 ? dtype[v] : 0;
    },
    set: (k, shape, t, vals) => {
      const v = k < ctx.outs.length ? ctx.outs[k] : -1;
      if (v < 0) return;
      if (t && !dtype[v]) dtype[v] = t;
      if (vals && vals.length <= maxVals && !values.has(v)) values.set(v, vals);
      if (!shape || fileKnown[v] || shape.length > MAX_RANK) return;
      const old = source[v] === ShapeSource.File ? store.get(v) : null;
      if (old && old.length === shape.length) {
        // Keep what the file knows, fill the rest from inference.
        for (let i = 0; i < shape.length; i++) if (shape[i] < 0 && old[i] >= 0) shape[i] = old[i];
      } else if (old) return; // rank disagrees with the file: trust the file
      store.set(v, shape);
      source[v] = ShapeSource.Inferred;
    },
    subgraphOutputs: () => (subgraphsOf.get(ctx.node) ?? []).map((g) => ir.graphOutputs.subarray(ir.graphOutputOffsets[g], ir.graphOutputOffsets[g + 1])),
    valueShape: (v) => ctxShape(v),
    valueDtype: (v) => (v >= 0 ? dtype[v] : 0),
  };
  const subgraphsOf = new Map<number, number[]>();
  for (let g = 0; g < ir.graphCount; g++) {
    const p = ir.graphParentNode[g];
    if (p < 0) continue;
    const list = subgraphsOf.get(p);
    if (list) list.push(g);
    else subgraphsOf.set(p, [g]);
  }

  const unresolved: Record<string, number> = Object.create(null);
  const order = topologicalOrder(ir);
  for (let i = 0; i < order.length; i++) {
    const node = order[i];
    const op = str(ir, ir.nodeOp[node]);
    const kernel = KERNELS.get(op);
    ctx.node = node;
    ctx.ins = ir.nodeInputs.subarray(ir.nodeInputOffsets[node], ir.nodeInputOffsets[node + 1]);
    ctx.outs = ir.nodeOutputs.subarray(ir.nodeOutputOffsets[node], ir.nodeOutputOffsets[node + 1]);
    ctx.attrs = attributes && attributes.of(node) ? attributes : null;
    if (kernel) {
      try {
        kernel(ctx);
      } catch {
        // A malformed model (axis out of range, ...) leaves this node's outputs unknown.
      }
    }
    for (const v of ctx.outs) {
      if (v >= 0 && !store.known(v)) {
        unresolved[op] = (unresolved[op] ?? 0) + 1;
        break;
      }
    }
  }

  return {
    valueCount: n,
    shapeStart: store.start,
    shapeRank: store.rank,
    dims: store.finish(),
    dtype,
    source,
    values,
    bindings,
    unresolved,
  };
}

/** Number for a symbolic dimension: given by name, else batch/sequence-like names, else the default. */
export function bindSymbol(name: string, dims: Record<string, number>, defaultDim: number): number {
  if (Object.hasOwn(dims, name)) return dims[name];
  if (Object.hasOwn(DEFAULT_DIMS, name)) return DEFAULT_DIMS[name];
  const lower = name.toLowerCase();
  if (/batch|^bs$|^n$|^b$/.test(lower)) return dims.batch ?? DEFAULT_DIMS.batch;
  if (/seq|token|^s$|^t$|length|_len$|^len$/.test(lower)) return dims.sequence ?? DEFAULT_DIMS.sequence;
  return defaultDim;
}

/** Packed per-value shapes: a growable dims buffer plus start/rank per value. */
class ShapeStore {
  readonly start: Int32Array;
  readonly rank: Int32Array;
  private buf = new Float64Array(1024);
  private used = 0;

  constructor(n: number) {
    this.start = new Int32Array(n).fill(-1);
    this.rank = new Int32Array(n);
  }

  set(v: number, shape: ArrayLike<number>): void {
    let at = this.start[v];
    if (at < 0 || this.rank[v] !== shape.length) {
      if (this.used + shape.length > this.buf.length) {
        const next = new Float64Array(Math.max(this.buf.length * 2, this.used + shape.length));
        next.set(this.buf.subarray(0, this.used));
        this.buf = next;
      }
      at = this.used;
      this.start[v] = at;
      this.rank[v] = shape.length;
      this.used += shape.length;
    }
    const buf = this.buf;
    for (let i = 0; i < shape.length; i++) buf[at + i] = shape[i];
  }

  get(v: number): Shape | null {
    const s = this.start[v];
    if (s < 0) return null;
    const out: Shape = new Array(this.rank[v]);
    for (let i = 0; i < out.length; i++) out[i] = this.buf[s + i];
    return out;
  }

  known(v: number): boolean {
    const s = this.start[v];
    if (s < 0) return false;
    for (let i = s; i < s + this.rank[v]; i++) if (this.buf[i] < 0) return false;
    return true;
  }

  finish(): Float64Array {
    return this.buf.slice(0, this.used);
  }
}

/**
 * Kahn's order over all nodes (producers before consumers). A node holding sub-graphs (If, Loop, Scan) comes after
 * every node of those sub-graphs, so their output shapes are known when it is reached. Nodes on a cycle (only in
 * malformed files) follow in file order.
 */
export function topologicalOrder(ir: GraphIR): Uint32Array {
  const count = ir.nodeCount;
  const indegree = new Uint32Array(count);
  for (let node = 0; node < count; node++) {
    for (let k = ir.nodeInputOffsets[node]; k < ir.nodeInputOffsets[node + 1]; k++) {
      const v = ir.nodeInputs[k];
      if (v >= 0 && ir.valueProducer[v] >= 0 && ir.valueProducer[v] !== node) indegree[node]++;
    }
  }
  // Sub-graph nodes release their owner (possibly several levels up, one level at a time).
  const owner = new Int32Array(count).fill(-1);
  for (let g = 0; g < ir.graphCount; g++) {
    const p = ir.graphParentNode[g];
    if (p < 0) continue;
    for (let node = ir.graphNodeStart[g]; node < ir.graphNodeStart[g] + ir.graphNodeCount[g]; node++) {
      if (node === p) continue;
      owner[node] = p;
      indegree[p]++;
    }
  }
  const order = new Uint32Array(count);
  const placed = new Uint8Array(count);
  let head = 0;
  let tail = 0;
  for (let node = 0; node < count; node++) if (indegree[node] === 0) order[tail++] = node;
  const release = () => {
    while (head < tail) {
      const node = order[head++];
      placed[node] = 1;
      const p = owner[node];
      if (p >= 0 && indegree[p] > 0 && --indegree[p] === 0) order[tail++] = p;
      for (let k = ir.nodeOutputOffsets[node]; k < ir.nodeOutputOffsets[node + 1]; k++) {
        const v = ir.nodeOutputs[k];
        if (v < 0) continue;
        for (let c = ir.valueConsumerOffsets[v]; c < ir.valueConsumerOffsets[v + 1]; c++) {
          const consumer = ir.valueConsumers[c];
          if (consumer === node) continue;
          // A node consuming the same value twice was counted twice: released once per use.
          if (indegree[consumer] > 0 && --indegree[consumer] === 0) order[tail++] = consumer;
        }
      }
    }
  };
  release();
  for (let node = 0; node < count && tail < count; node++) {
    if (!placed[node] && indegree[node] > 0) {
      indegree[node] = 0;
      order[tail++] = node;
      release();
    }
  }
  return order;
}

// Helpers -------------------------------------------------------------------------------------------------------------

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) throw new Error('axis out of range');
  return a;
}

function product(s: ArrayLike<number>, from = 0, to = s.length): number {
  let p = 1;
  for (let i = from; i < to; i++) {
    if (s[i] < 0) return -1;
    p *= s[i];
  }
  return p;
}

/** Numpy broadcasting; -1 dims stay -1 unless another input fixes them. Null when incompatible. */
function broadcast(shapes: Shape[]): Shape | null {
  let rank = 0;
  for (const s of shapes) rank = Math.max(rank, s.length);
  const out: Shape = new Array(rank);
  for (let i = 0; i < rank; i++) {
    let d = 1;
    let unknown = false;
    for (const s of shapes) {
      const idx = s.length - rank + i;
      if (idx < 0) continue;
      const x = s[idx];
      if (x === 1) continue;
      if (x < 0) {
        unknown = true;
        continue;
      }
      if (d === 1) d = x;
      else if (d !== x) return null;
    }
    out[i] = d !== 1 ? d : unknown ? -1 : 1;
  }
  return out;
}

/** Evaluates an elementwise function over broadcast inputs (small tensors only). */
function broadcastEval(out: Shape, inputs: { shape: Shape; data: Float64Array }[], fn: (args: number[]) => number): Float64Array | null {
  const total = product(out);
  if (total < 0) return null;
  const rank = out.length;
  const strides = inputs.map(({ shape }) => {
    const st = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      st[rank - shape.length + i] = shape[i] === 1 ? 0 : acc;
      acc *= shape[i];
    }
    return st;
  });
  for (const x of inputs) if (x.data.length !== product(x.shape)) return null;
  const result = new Float64Array(total);
  const idx = new Array<number>(rank).fill(0);
  const args = new Array<number>(inputs.length);
  for (let flat = 0; flat < total; flat++) {
    for (let j = 0; j < inputs.length; j++) {
      let off = 0;
      for (let i = 0; i < rank; i++) off += idx[i] * strides[j][i];
      args[j] = inputs[j].data[off];
    }
    result[flat] = fn(args);
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i] < out[i]) break;
      idx[i] = 0;
    }
  }
  return result;
}

const KERNELS = new Map<string, Kernel>();
const def = (ops: string[], k: Kernel) => {
  for (const op of ops) KERNELS.set(op, k);
};

// Same shape as input 0 -------------------------------------------------------------------------------------------------

const sameShape: Kernel = (c) => c.set(0, c.shape(0), c.dtype(0));
def([
  'Relu', 'Sigmoid', 'Tanh', 'Erf', 'Sqrt', 'Exp', 'Log', 'Abs', 'Neg', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign',
  'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Softplus', 'Softsign',
  'Softmax', 'LogSoftmax', 'Hardmax', 'Clip', 'HardSigmoid', 'HardSwish', 'LeakyRelu', 'Elu', 'Selu', 'Celu', 'Gelu',
  'Mish', 'ThresholdedRelu', 'Shrink', 'PRelu', 'InstanceNormalization', 'LRN', 'GroupNormalization',
  'MeanVarianceNormalization', 'LpNormalization', 'Trilu', 'CumSum', 'BitwiseNot', 'ScatterND', 'ScatterElements',
  'Scatter', 'ReverseSequence', 'Binarizer', 'com.microsoft.Gelu', 'com.microsoft.FastGelu',
  'com.microsoft.BiasGelu', 'com.microsoft.QuickGelu', 'com.microsoft.SkipLayerNormalization',
  'com.microsoft.SkipSimplifiedLayerNormalization', 'com.microsoft.SimplifiedLayerNormalization',
  'SimplifiedLayerNormalization', 'RMSNormalization',
], sameShape);

def(['Identity'], (c) => c.set(0, c.shape(0), c.dtype(0), c.val(0)));
def(['Not'], (c) => c.set(0, c.shape(0), BOOL, c.val(0)?.map((x) => (x ? 0 : 1)) ?? null));
def(['IsNaN', 'IsInf'], (c) => c.set(0, c.shape(0), BOOL));
def(['Dropout'], (c) => {
  c.set(0, c.shape(0), c.dtype(0));
  c.set(1, c.shape(0), BOOL);
});
def(['BatchNormalization'], (c) => {
  const x = c.shape(0);
  c.set(0, x, c.dtype(0));
  if (x && x.length >= 2) for (let k = 1; k < 5; k++) c.set(k, [x[1]], c.dtype(0));
});
def(['LayerNormalization'], (c) => {
  const x = c.shape(0);
  c.set(0, x, c.dtype(0));
  if (!x || !c.attrs || c.outs.length < 2) return;
  const axis = normAxis(c.attrs.int(c.node, 'axis', -1), x.length);
  const reduced = x.map((d, i) => (i >= axis ? 1 : d));
  c.set(1, reduced, FLOAT);
  c.set(2, reduced, FLOAT);
});
def(['Cast'], (c) => {
  const to = c.attrs ? c.attrs.int(c.node, 'to', 0) : 0;
  const v = c.val(0);
  let vals: Float64Array | null = null;
  if (v && to) vals = to === BOOL ? v.map((x) => (x ? 1 : 0)) : isIntegerDtype(to) ? v.map(Math.trunc) : v;
  c.set(0, c.shape(0), to, vals);
});
def(['CastLike'], (c) => c.set(0, c.shape(0), c.dtype(1)));
def(['QuantizeLinear'], (c) => c.set(0, c.shape(0), c.ins.length > 2 && c.ins[2] >= 0 ? c.dtype(2) : UINT8));
def(['DequantizeLinear'], (c) => c.set(0, c.shape(0), c.dtype(1) || FLOAT));
def(['DynamicQuantizeLinear'], (c) => {
  c.set(0, c.shape(0), UINT8);
  c.set(1, [], FLOAT);
  c.set(2, [], UINT8);
});

// Broadcasting -------------------------------------------------------------------------------------------------------------

function broadcastKernel(dtypeOf: (c: Ctx) => number, fn: ((a: number[], intOut: boolean) => number) | null): Kernel {
  return (c) => {
    const t = dtypeOf(c);
    const all: Shape[] = [];
    for (let k = 0; k < c.ins.length; k++) {
      const s = c.shape(k);
      if (!s) return c.set(0, null, t);
      all.push(s);
    }
    const out = broadcast(all);
    let vals: Float64Array | null = null;
    const total = out ? product(out) : -1;
    if (fn && out && total >= 0 && total <= MAX_VALUES) {
      const inputs: { shape: Shape; data: Float64Array }[] = [];
      for (let k = 0; k < c.ins.length; k++) {
        const data = c.val(k);
        if (!data) break;
        inputs.push({ shape: all[k], data });
      }
      if (inputs.length === c.ins.length) {
        const intOut = isIntegerDtype(t);
        vals = broadcastEval(out, inputs, (a) => fn(a, intOut));
      }
    }
    c.set(0, out, t, vals);
  };
}

const dtype0 = (c: Ctx) => c.dtype(0);
const boolType = () => BOOL;
def(['Add'], broadcastKernel(dtype0, (a) => a[0] + a[1]));
def(['Sub'], broadcastKernel(dtype0, (a) => a[0] - a[1]));
def(['Mul'], broadcastKernel(dtype0, (a) => a[0] * a[1]));
def(['Div'], broadcastKernel(dtype0, (a, int) => (int ? (a[1] === 0 ? NaN : Math.trunc(a[0] / a[1])) : a[0] / a[1])));
def(['Pow'], broadcastKernel(dtype0, (a) => a[0] ** a[1]));
def(['Mod'], broadcastKernel(dtype0, (a) => a[0] % a[1]));
def(['Max'], broadcastKernel(dtype0, (a) => Math.max(...a)));
def(['Min'], broadcastKernel(dtype0, (a) => Math.min(...a)));
def(['Sum'], broadcastKernel(dtype0, (a) => a.reduce((x, y) => x + y, 0)));
def(['Mean'], broadcastKernel(dtype0, null));
def(['BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor'], broadcastKernel(dtype0, null));
def(['Equal'], broadcastKernel(boolType, (a) => (a[0] === a[1] ? 1 : 0)));
def(['Less'], broadcastKernel(boolType, (a) => (a[0] < a[1] ? 1 : 0)));
def(['Greater'], broadcastKernel(boolType, (a) => (a[0] > a[1] ? 1 : 0)));
def(['LessOrEqual'], broadcastKernel(boolType, (a) => (a[0] <= a[1] ? 1 : 0)));
def(['GreaterOrEqual'], broadcastKernel(boolType, (a) => (a[0] >= a[1] ? 1 : 0)));
def(['And'], broadcastKernel(boolType, (a) => (a[0] && a[1] ? 1 : 0)));
def(['Or'], broadcastKernel(boolType, (a) => (a[0] || a[1] ? 1 : 0)));
def(['Xor'], broadcastKernel(boolType, (a) => (!a[0] !== !a[1] ? 1 : 0)));
def(['Where'], broadcastKernel((c) => c.dtype(1), (a) => (a[0] ? a[1] : a[2])));

// Convolution, pooling, matrix products ----------------------------------------------------------------------------------------

function spatialOut(input: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number,
  autoPad: string, ceilMode = false): number {
  if (input < 0 || kernel < 0) return -1;
  const ek = (kernel - 1) * dilation + 1;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(input / stride);
  if (autoPad === 'VALID') return Math.floor((input - ek) / stride) + 1;
  const span = input + padBegin + padEnd - ek;
  if (!ceilMode) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  // The last window must start inside the input or the leading padding (ONNX Runtime and PyTorch agree).
  if ((out - 1) * stride >= input + padBegin) out--;
  return out;
}

function convKernel(xi: number, wi: number, outType: number): Kernel {
  return (c) => {
    const x = c.shape(xi);
    const w = c.shape(wi);
    if (!x || !w || x.length < 3 || w.length !== x.length) return c.set(0, null, outType || c.dtype(xi));
    const nsp = x.length - 2;
    const out: Shape = [x[0], w[0]];
    const a = c.attrs;
    for (let i = 0; i < nsp; i++) {
      if (!a) {
        out.push(-1);
        continue;
      }
      const k = a.ints(c.node, 'kernel_shape')?.[i] ?? w[2 + i];
      const s = a.ints(c.node, 'strides')?.[i] ?? 1;
      const d = a.ints(c.node, 'dilations')?.[i] ?? 1;
      const pads = a.ints(c.node, 'pads');
      out.push(spatialOut(x[2 + i], k, s, d, pads?.[i] ?? 0, pads?.[i + nsp] ?? 0, a.string(c.node, 'auto_pad', 'NOTSET')));
    }
    c.set(0, out, outType || c.dtype(xi));
  };
}
def(['Conv'], convKernel(0, 1, 0));
def(['ConvInteger'], convKernel(0, 1, INT32));
def(['QLinearConv'], (c) => convKernel(0, 3, c.dtype(7) || UINT8)(c));

def(['ConvTranspose'], (c) => {
  const x = c.shape(0);
  const w = c.shape(1);
  if (!x || !w || x.length < 3 || w.length !== x.length) return c.set(0, null, c.dtype(0));
  const nsp = x.length - 2;
  const a = c.attrs;
  if (!a) return c.set(0, [x[0], -1, ...new Array<number>(nsp).fill(-1)], c.dtype(0));
  const group = a.int(c.node, 'group', 1);
  const out: Shape = [x[0], w[1] < 0 ? -1 : w[1] * group];
  const outputShape = a.ints(c.node, 'output_shape');
  const autoPad = a.string(c.node, 'auto_pad', 'NOTSET');
  for (let i = 0; i < nsp; i++) {
    if (outputShape && outputShape.length >= nsp) {
      out.push(outputShape[outputShape.length - nsp + i]);
      continue;
    }
    const input = x[2 + i];
    const k = a.ints(c.node, 'kernel_shape')?.[i] ?? w[2 + i];
    const s = a.ints(c.node, 'strides')?.[i] ?? 1;
    const d = a.ints(c.node, 'dilations')?.[i] ?? 1;
    const op = a.ints(c.node, 'output_padding')?.[i] ?? 0;
    const pads = a.ints(c.node, 'pads');
    if (input < 0 || k < 0) out.push(-1);
    else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') out.push(input * s);
    else {
      const pb = autoPad === 'VALID' ? 0 : pads?.[i] ?? 0;
      const pe = autoPad === 'VALID' ? 0 : pads?.[i + nsp] ?? 0;
      out.push(s * (input - 1) + op + (k - 1) * d + 1 - pb - pe);
    }
  }
  c.set(0, out, c.dtype(0));
});

def(['MaxPool', 'AveragePool', 'LpPool'], (c) => {
  const x = c.shape(0);
  const a = c.attrs;
  if (!x || x.length < 3) return c.set(0, null, c.dtype(0));
  const nsp = x.length - 2;
  const k = a?.ints(c.node, 'kernel_shape');
  const out: Shape = [x[0], x[1]];
  for (let i = 0; i < nsp; i++) {
    if (!a || !k || k.length !== nsp) {
      out.push(-1);
      continue;
    }
    const pads = a.ints(c.node, 'pads');
    out.push(spatialOut(x[2 + i], k[i], a.ints(c.node, 'strides')?.[i] ?? 1, a.ints(c.node, 'dilations')?.[i] ?? 1,
      pads?.[i] ?? 0, pads?.[i + nsp] ?? 0, a.string(c.node, 'auto_pad', 'NOTSET'), a.int(c.node, 'ceil_mode', 0) === 1));
  }
  c.set(0, out, c.dtype(0));
  c.set(1, out, INT64);
});

def(['GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool'], (c) => {
  const x = c.shape(0);
  c.set(0, x && x.length >= 2 ? x.map((d, i) => (i < 2 ? d : 1)) : null, c.dtype(0));
});

function matmulShape(a: Shape, b: Shape): Shape | null {
  if (!a.length || !b.length) return null;
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)]);
  if (!batch) return null;
  const out = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]);
  if (b.length > 1) out.push(b2[b2.length - 1]);
  return out;
}
function matmulKernel(ai: number, bi: number, outType: (c: Ctx) => number): Kernel {
  return (c) => {
    const a = c.shape(ai);
    const b = c.shape(bi);
    c.set(0, a && b ? matmulShape(a, b) : null, outType(c));
  };
}
def(['MatMul'], matmulKernel(0, 1, dtype0));
def(['MatMulInteger'], matmulKernel(0, 1, () => INT32));
def(['QLinearMatMul'], matmulKernel(0, 3, (c) => c.dtype(7) || UINT8));

def(['Gemm'], (c) => {
  const a = c.shape(0);
  const b = c.shape(1);
  if (!a || !b || a.length !== 2 || b.length !== 2 || !c.attrs) return c.set(0, a && b ? [-1, -1] : null, c.dtype(0));
  const m = c.attrs.int(c.node, 'transA', 0) ? a[1] : a[0];
  const n = c.attrs.int(c.node, 'transB', 0) ? b[0] : b[1];
  c.set(0, [m, n], c.dtype(0));
});

// Shape manipulation -------------------------------------------------------------------------------------------------------------

def(['Shape'], (c) => {
  const x = c.shape(0);
  if (!x || !c.attrs) return c.set(0, null, INT64);
  const r = x.length;
  const clampIdx = (i: number) => Math.min(r, Math.max(0, i < 0 ? i + r : i));
  const start = clampIdx(c.attrs.int(c.node, 'start', 0));
  const end = clampIdx(c.attrs.int(c.node, 'end', r));
  const dims = x.slice(start, Math.max(start, end));
  c.set(0, [dims.length], INT64, dims.every((d) => d >= 0) ? Float64Array.from(dims) : null);
});

def(['Size'], (c) => {
  const x = c.shape(0);
  const p = x ? product(x) : -1;
  c.set(0, [], INT64, p >= 0 ? Float64Array.of(p) : null);
});

def(['Reshape'], (c) => {
  const x = c.shape(0);
  const target = c.val(1);
  const t = c.dtype(0);
  if (!target) {
    const ts = c.shape(1);
    return c.set(0, ts && ts.length === 1 && ts[0] >= 0 && ts[0] <= MAX_RANK ? new Array<number>(ts[0]).fill(-1) : null, t);
  }
  const allowZero = c.attrs ? c.attrs.int(c.node, 'allowzero', 0) : -1;
  if (allowZero < 0 && target.includes(0)) return c.set(0, new Array<number>(target.length).fill(-1), t);
  const out: Shape = [];
  let inferAt = -1;
  for (let i = 0; i < target.length; i++) {
    const s = target[i];
    if (s === 0 && !allowZero) out.push(x && i < x.length ? x[i] : -1);
    else if (s === -1) {
      inferAt = i;
      out.push(-1);
    } else out.push(s);
  }
  if (inferAt >= 0) {
    const total = x ? product(x) : -1;
    let rest = 1;
    for (let i = 0; i < out.length; i++) if (i !== inferAt) rest = out[i] < 0 || rest < 0 ? -1 : rest * out[i];
    out[inferAt] = total >= 0 && rest > 0 && total % rest === 0 ? total / rest : -1;
  }
  c.set(0, out, t, c.val(0));
});

def(['Flatten'], (c) => {
  const x = c.shape(0);
  if (!x || !c.attrs) return c.set(0, x ? [-1, -1] : null, c.dtype(0));
  let axis = c.attrs.int(c.node, 'axis', 1);
  if (axis < 0) axis += x.length;
  if (axis < 0 || axis > x.length) return c.set(0, null, c.dtype(0));
  c.set(0, [product(x, 0, axis), product(x, axis)], c.dtype(0), c.val(0));
});

def(['Transpose'], (c) => {
  const x = c.shape(0);
  if (!x) return c.set(0, null, c.dtype(0));
  if (!c.attrs) return c.set(0, x.length <= 1 ? x : new Array<number>(x.length).fill(-1), c.dtype(0), x.length <= 1 ? c.val(0) : null);
  const perm = (c.attrs.ints(c.node, 'perm') ?? x.map((_, i) => x.length - 1 - i)).map((p) => normAxis(p, x.length));
  if (perm.length !== x.length) return c.set(0, null, c.dtype(0));
  const out = perm.map((p) => x[p]);
  const data = c.val(0);
  c.set(0, out, c.dtype(0), data ? strided(data, x, out, null, null, perm) : null);
});

function axesInput(c: Ctx, k: number, attr: string): number[] | null | undefined {
  // From opset 13 (Reduce*: 18) axes are an input; before that an attribute. undefined = absent in both.
  if (c.ins.length > k && c.ins[k] >= 0) {
    const v = c.val(k);
    return v ? Array.from(v) : null;
  }
  if (!c.attrs) return null;
  return c.attrs.ints(c.node, attr) ?? undefined;
}

def(['Unsqueeze'], (c) => {
  const x = c.shape(0);
  const axes = axesInput(c, 1, 'axes');
  if (!x || !axes) return c.set(0, null, c.dtype(0));
  const rank = x.length + axes.length;
  const at = new Uint8Array(rank);
  for (const a of axes) at[normAxis(a, rank)] = 1;
  const out: Shape = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(at[i] ? 1 : x[j++]);
  c.set(0, out, c.dtype(0), c.val(0));
});

def(['Squeeze'], (c) => {
  const x = c.shape(0);
  const axes = axesInput(c, 1, 'axes');
  if (!x || axes === null) return c.set(0, null, c.dtype(0));
  let out: Shape;
  if (!axes || axes.length === 0) {
    if (x.some((d) => d < 0)) return c.set(0, null, c.dtype(0));
    out = x.filter((d) => d !== 1);
  } else {
    const drop = new Set(axes.map((a) => normAxis(a, x.length)));
    out = x.filter((_, i) => !drop.has(i));
  }
  c.set(0, out, c.dtype(0), c.val(0));
});

def(['Concat'], (c) => {
  const shapes: Shape[] = [];
  for (let k = 0; k < c.ins.length; k++) {
    const s = c.shape(k);
    if (!s) return c.set(0, null, c.dtype(0));
    shapes.push(s);
  }
  if (!shapes.length || !c.attrs) return c.set(0, null, c.dtype(0));
  const rank = shapes[0].length;
  if (shapes.some((s) => s.length !== rank)) return c.set(0, null, c.dtype(0));
  const axis = normAxis(c.attrs.int(c.node, 'axis', 0), rank);
  const out = shapes[0].slice();
  let sum = 0;
  for (const s of shapes) sum = s[axis] < 0 || sum < 0 ? -1 : sum + s[axis];
  out[axis] = sum;
  for (let i = 0; i < rank; i++) if (i !== axis && out[i] < 0) out[i] = shapes.find((s) => s[i] >= 0)?.[i] ?? -1;
  let vals: Float64Array | null = null;
  const datas = shapes.map((_, k) => c.val(k));
  if (datas.every((d) => d) && product(out) >= 0 && product(out) <= MAX_VALUES) {
    const outer = product(out, 0, axis);
    const inner = product(out, axis + 1);
    vals = new Float64Array(product(out));
    let pos = 0;
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < shapes.length; k++) {
        const chunk = shapes[k][axis] * inner;
        vals.set(datas[k]!.subarray(o * chunk, (o + 1) * chunk), pos);
        pos += chunk;
      }
    }
  }
  c.set(0, out, c.dtype(0), vals);
});

def(['Split'], (c) => {
  const x = c.shape(0);
  const n = c.outs.length;
  if (!x || !c.attrs) return;
  const axis = normAxis(c.attrs.int(c.node, 'axis', 0), x.length);
  let sizes: number[] | null;
  if (c.ins.length > 1 && c.ins[1] >= 0) sizes = c.val(1) ? Array.from(c.val(1)!) : new Array<number>(n).fill(-1);
  else sizes = c.attrs.ints(c.node, 'split');
  if (!sizes || sizes.length === 0) {
    const d = x[axis];
    if (d < 0) sizes = new Array<number>(n).fill(-1);
    else {
      const chunk = Math.ceil(d / n);
      sizes = new Array<number>(n).fill(chunk);
      sizes[n - 1] = d - chunk * (n - 1);
    }
  }
  if (sizes.length !== n) return;
  const data = c.val(0);
  const known = data && product(x) === data.length && sizes.every((d) => d >= 0);
  const outer = product(x, 0, axis);
  const inner = product(x, axis + 1);
  let offset = 0;
  for (let k = 0; k < n; k++) {
    const out = x.slice();
    out[axis] = sizes[k];
    let vals: Float64Array | null = null;
    if (known) {
      // Shape vectors split into pieces (tf2onnx pads): outer × (size × inner) blocks.
      vals = new Float64Array(outer * sizes[k] * inner);
      for (let o = 0; o < outer; o++) {
        const from = (o * x[axis] + offset) * inner;
        vals.set(data.subarray(from, from + sizes[k] * inner), o * sizes[k] * inner);
      }
    }
    offset += sizes[k];
    c.set(k, out, c.dtype(0), vals);
  }
});

def(['Gather'], (c) => {
  const d = c.shape(0);
  const idx = c.shape(1);
  if (!d || !idx || !c.attrs) return c.set(0, null, c.dtype(0));
  const axis = normAxis(c.attrs.int(c.node, 'axis', 0), d.length);
  const out = [...d.slice(0, axis), ...idx, ...d.slice(axis + 1)];
  const data = c.val(0);
  const indices = c.val(1);
  let vals: Float64Array | null = null;
  const total = product(out);
  if (data && indices && total >= 0 && total <= MAX_VALUES && product(d) === data.length) {
    const outer = product(d, 0, axis);
    const inner = product(d, axis + 1);
    const dim = d[axis];
    vals = new Float64Array(product(out));
    let pos = 0;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < indices.length; j++) {
        const i = indices[j] < 0 ? indices[j] + dim : indices[j];
        if (!(i >= 0 && i < dim)) return c.set(0, out, c.dtype(0));
        vals.set(data.subarray((o * dim + i) * inner, (o * dim + i + 1) * inner), pos);
        pos += inner;
      }
    }
  }
  c.set(0, out, c.dtype(0), vals);
});

def(['GatherElements'], (c) => c.set(0, c.shape(1), c.dtype(0)));
def(['GatherND'], (c) => {
  const d = c.shape(0);
  const idx = c.shape(1);
  if (!d || !idx || !idx.length || !c.attrs) return c.set(0, null, c.dtype(0));
  const batchDims = c.attrs.int(c.node, 'batch_dims', 0);
  const last = idx[idx.length - 1];
  if (last < 0) return c.set(0, null, c.dtype(0));
  c.set(0, [...idx.slice(0, -1), ...d.slice(batchDims + last)], c.dtype(0));
});

def(['Slice'], (c) => {
  const x = c.shape(0);
  if (!x) return c.set(0, null, c.dtype(0));
  let starts: ArrayLike<number> | null;
  let ends: ArrayLike<number> | null;
  let axes: ArrayLike<number> | null = null;
  let steps: ArrayLike<number> | null = null;
  if (c.ins.length > 1) {
    starts = c.val(1);
    ends = c.val(2);
    if (c.ins.length > 3 && c.ins[3] >= 0) {
      axes = c.val(3);
      if (!axes) return c.set(0, new Array<number>(x.length).fill(-1), c.dtype(0));
    }
    if (c.ins.length > 4 && c.ins[4] >= 0) {
      steps = c.val(4);
      if (!steps) return c.set(0, new Array<number>(x.length).fill(-1), c.dtype(0));
    }
  } else {
    if (!c.attrs) return c.set(0, new Array<number>(x.length).fill(-1), c.dtype(0));
    starts = c.attrs.ints(c.node, 'starts');
    ends = c.attrs.ints(c.node, 'ends');
    axes = c.attrs.ints(c.node, 'axes');
  }
  const out = x.slice();
  if (!starts || !ends || starts.length !== ends.length) {
    if (axes) for (let j = 0; j < axes.length; j++) out[normAxis(axes[j], x.length)] = -1;
    return c.set(0, axes ? out : new Array<number>(x.length).fill(-1), c.dtype(0));
  }
  const begin = new Array<number>(x.length).fill(0);
  const stride = new Array<number>(x.length).fill(1);
  for (let j = 0; j < starts.length; j++) {
    const ax = normAxis(axes ? axes[j] : j, x.length);
    const dim = x[ax];
    const step = steps ? steps[j] : 1;
    if (step === 0) return c.set(0, null, c.dtype(0));
    if (dim < 0) {
      out[ax] = -1;
      continue;
    }
    let s = starts[j] < 0 ? starts[j] + dim : starts[j];
    let e = ends[j] < 0 ? ends[j] + dim : ends[j];
    if (step > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
    }
    out[ax] = Math.max(0, Math.ceil((e - s) / step));
    begin[ax] = s;
    stride[ax] = step;
  }
  const data = c.val(0);
  const vals = data && product(out) >= 0 ? strided(data, x, out, begin, stride, null) : null;
  c.set(0, out, c.dtype(0), vals);
});

/**
 * Reads `out`-shaped elements from a small row-major tensor: output index i maps to input index
 * begin + i·stride on each axis, after permuting output axes by `perm` (output axis a reads input axis perm[a]).
 */
function strided(data: Float64Array, shape: Shape, out: Shape, begin: number[] | null, stride: number[] | null,
  perm: number[] | null): Float64Array | null {
  const total = product(out);
  if (total < 0 || product(shape) !== data.length) return null;
  const rank = shape.length;
  const inStride = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStride[i] = acc;
    acc *= shape[i];
  }
  const result = new Float64Array(total);
  const idx = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < total; flat++) {
    let off = 0;
    for (let a = 0; a < rank; a++) {
      const ax = perm ? perm[a] : a;
      off += ((begin ? begin[ax] : 0) + idx[a] * (stride ? stride[ax] : 1)) * inStride[ax];
    }
    result[flat] = data[off];
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a] < out[a]) break;
      idx[a] = 0;
    }
  }
  return result;
}

def(['Pad'], (c) => {
  const x = c.shape(0);
  if (!x) return c.set(0, null, c.dtype(0));
  let pads: ArrayLike<number> | null;
  if (c.ins.length > 1 && c.ins[1] >= 0) pads = c.val(1);
  else pads = c.attrs ? c.attrs.ints(c.node, 'pads') ?? c.attrs.ints(c.node, 'paddings') : null;
  let axes: number[] = x.map((_, i) => i);
  if (c.ins.length > 3 && c.ins[3] >= 0) {
    const a = c.val(3);
    axes = a ? Array.from(a, (v) => normAxis(v, x.length)) : [];
    if (!a) pads = null;
  }
  if (!pads || pads.length !== 2 * axes.length) return c.set(0, new Array<number>(x.length).fill(-1), c.dtype(0));
  const out = x.slice();
  axes.forEach((ax, j) => {
    out[ax] = x[ax] < 0 ? -1 : x[ax] + pads![j] + pads![j + axes.length];
  });
  c.set(0, out, c.dtype(0));
});

def(['Resize', 'Upsample'], (c) => {
  const x = c.shape(0);
  if (!x) return c.set(0, null, c.dtype(0));
  const unknown = () => c.set(0, new Array<number>(x.length).fill(-1), c.dtype(0));
  if (!c.attrs) return unknown();
  const axesAttr = c.attrs.ints(c.node, 'axes');
  const axes = axesAttr ? axesAttr.map((a) => normAxis(a, x.length)) : x.map((_, i) => i);
  const sizes = c.ins.length > 3 && c.ins[3] >= 0 ? c.val(3) : null;
  if (sizes && sizes.length > 0) {
    if (sizes.length !== axes.length || c.attrs.string(c.node, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') return unknown();
    const out = x.slice();
    axes.forEach((ax, j) => {
      out[ax] = sizes[j];
    });
    return c.set(0, out, c.dtype(0));
  }
  if (c.ins.length > 3 && c.ins[3] >= 0 && !sizes) return unknown();
  let scales: ArrayLike<number> | null;
  const scalesIndex = c.ins.length === 2 ? 1 : 2; // Resize-10 and Upsample-9: (X, scales); Resize-11+: (X, roi, scales[, sizes])
  if (c.ins.length > scalesIndex && c.ins[scalesIndex] >= 0) scales = c.val(scalesIndex);
  else scales = c.ins.length === 1 ? c.attrs.ints(c.node, 'scales') ?? floatsAttr(c, 'scales') : null;
  if (!scales || scales.length !== axes.length) return unknown();
  const out = x.slice();
  axes.forEach((ax, j) => {
    out[ax] = x[ax] < 0 ? -1 : Math.floor(x[ax] * scales![j] + 1e-9);
  });
  c.set(0, out, c.dtype(0));
});

function floatsAttr(c: Ctx, name: string): number[] | null {
  const v = c.attrs?.of(c.node)?.get(name);
  return Array.isArray(v) && typeof v[0] === 'number' ? (v as number[]) : null;
}

def(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum',
  'ReduceLogSumExp', 'ReduceSumSquare'], (c) => {
  const x = c.shape(0);
  if (!x || !c.attrs) return c.set(0, null, c.dtype(0));
  const keep = c.attrs.int(c.node, 'keepdims', 1) !== 0;
  const axes = axesInput(c, 1, 'axes');
  if (axes === null) return c.set(0, keep ? new Array<number>(x.length).fill(-1) : null, c.dtype(0));
  let reduce: Set<number>;
  if (!axes || axes.length === 0) {
    if (c.attrs.int(c.node, 'noop_with_empty_axes', 0)) return c.set(0, x, c.dtype(0), c.val(0));
    reduce = new Set(x.map((_, i) => i));
  } else reduce = new Set(axes.map((a) => normAxis(a, x.length)));
  const out: Shape = [];
  x.forEach((d, i) => {
    if (!reduce.has(i)) out.push(d);
    else if (keep) out.push(1);
  });
  c.set(0, out, c.dtype(0));
});

def(['ArgMax', 'ArgMin'], (c) => {
  const x = c.shape(0);
  if (!x || !c.attrs) return c.set(0, null, INT64);
  const axis = normAxis(c.attrs.int(c.node, 'axis', 0), x.length);
  const keep = c.attrs.int(c.node, 'keepdims', 1) !== 0;
  const out: Shape = [];
  x.forEach((d, i) => {
    if (i !== axis) out.push(d);
    else if (keep) out.push(1);
  });
  c.set(0, out, INT64);
});

def(['Expand'], (c) => {
  const x = c.shape(0);
  const target = c.val(1);
  if (!x || !target) return c.set(0, null, c.dtype(0));
  const out = broadcast([x, Array.from(target)]);
  const data = c.val(0);
  c.set(0, out, c.dtype(0), out && data && product(out) <= MAX_VALUES ? broadcastEval(out, [{ shape: x, data }], (a) => a[0]) : null);
});

def(['Tile'], (c) => {
  const x = c.shape(0);
  const reps = c.val(1);
  if (!x) return c.set(0, null, c.dtype(0));
  if (!reps || reps.length !== x.length) return c.set(0, new Array<number>(x.length).fill(-1), c.dtype(0));
  c.set(0, x.map((d, i) => (d < 0 ? -1 : d * reps[i])), c.dtype(0));
});

def(['ConstantOfShape'], (c) => {
  const dims = c.val(0);
  const fill = c.attrs ? c.attrs.tensor(c.node, 'value') : null;
  const t = fill ? fill.dtype : c.attrs ? FLOAT : 0;
  if (!dims) {
    const s = c.shape(0);
    return c.set(0, s && s.length === 1 && s[0] >= 0 && s[0] <= MAX_RANK ? new Array<number>(s[0]).fill(-1) : null, t);
  }
  const out = Array.from(dims);
  const total = product(out);
  const value = fill ? fill.data?.[0] : c.attrs ? 0 : undefined;
  c.set(0, out, t, value !== undefined && total >= 0 && total <= MAX_VALUES ? new Float64Array(total).fill(value) : null);
});

def(['Range'], (c) => {
  const start = c.val(0);
  const limit = c.val(1);
  const delta = c.val(2);
  if (!start || !limit || !delta || delta[0] === 0) return c.set(0, [-1], c.dtype(0));
  const count = Math.max(Math.ceil((limit[0] - start[0]) / delta[0]), 0);
  let vals: Float64Array | null = null;
  if (count <= MAX_VALUES) {
    vals = new Float64Array(count);
    for (let i = 0; i < count; i++) vals[i] = start[0] + i * delta[0];
  }
  c.set(0, [count], c.dtype(0), vals);
});

def(['TopK'], (c) => {
  const x = c.shape(0);
  const k = c.val(1);
  if (!x || !c.attrs) return;
  const axis = normAxis(c.attrs.int(c.node, 'axis', -1), x.length);
  const out = x.slice();
  out[axis] = k ? k[0] : -1;
  c.set(0, out, c.dtype(0));
  c.set(1, out, INT64);
});

def(['NonZero'], (c) => {
  const x = c.shape(0);
  c.set(0, x ? [x.length, -1] : null, INT64);
});

function blockKernel(toSpace: boolean): Kernel {
  return (c) => {
    const x = c.shape(0);
    if (!x || x.length !== 4 || !c.attrs) return c.set(0, null, c.dtype(0));
    const b = c.attrs.int(c.node, 'blocksize', 0);
    if (b <= 0) return c.set(0, null, c.dtype(0));
    const [n, ch, h, w] = x;
    const mul = (d: number, m: number) => (d < 0 ? -1 : d * m);
    const div = (d: number, m: number) => (d < 0 || d % m ? -1 : d / m);
    c.set(0, toSpace ? [n, div(ch, b * b), mul(h, b), mul(w, b)] : [n, mul(ch, b * b), div(h, b), div(w, b)], c.dtype(0));
  };
}
def(['DepthToSpace'], blockKernel(true));
def(['SpaceToDepth'], blockKernel(false));

def(['EyeLike'], (c) => c.set(0, c.shape(0), c.attrs ? c.attrs.int(c.node, 'dtype', c.dtype(0)) : 0));

def(['Constant'], (c) => {
  // The decoder records the `value` tensor's type; value_int(s)/value_float(s) come from attributes.
  const a = c.attrs;
  if (!a) return;
  const attrs = a.of(c.node)!;
  const tensor = a.tensor(c.node, 'value');
  if (tensor) return c.set(0, tensor.dims.slice(), tensor.dtype, tensor.data);
  if (attrs.has('value_int')) return c.set(0, [], INT64, Float64Array.of(a.int(c.node, 'value_int', 0)));
  if (attrs.has('value_float')) return c.set(0, [], FLOAT, Float64Array.of(attrs.get('value_float') as number));
  const ints = attrs.get('value_ints');
  if (Array.isArray(ints)) return c.set(0, [ints.length], INT64, Float64Array.from(ints as number[]));
  const floats = attrs.get('value_floats');
  if (Array.isArray(floats)) return c.set(0, [floats.length], FLOAT, Float64Array.from(floats as number[]));
});

def(['If'], (c) => {
  // A known condition picks its branch; otherwise both branches' outputs are merged dim by dim (a dim that
  // differs is unknown, a rank that differs leaves the output unknown).
  let branches = c.subgraphOutputs();
  if (branches.length < 2) return;
  const cond = c.val(0);
  const taken = cond && cond.length === 1 && c.attrs ? c.attrs.graph(c.node, cond[0] ? 'then_branch' : 'else_branch') : -1;
  if (taken >= 0 && taken < branches.length) branches = [branches[taken]];
  for (let k = 0; k < c.outs.length; k++) {
    let merged: Shape | null = null;
    let t = 0;
    let ok = true;
    for (const outs of branches) {
      const v = k < outs.length ? outs[k] : -1;
      const s = v >= 0 ? c.valueShape(v) : null;
      t = t || c.valueDtype(v);
      if (!s || (merged && merged.length !== s.length)) {
        ok = false;
        break;
      }
      merged = merged ? merged.map((d, i) => (d === s[i] ? d : -1)) : s;
    }
    c.set(k, ok ? merged : null, t);
  }
});

def(['LSTM', 'GRU', 'RNN'], (c) => {
  const x = c.shape(0);
  const w = c.shape(1);
  const r = c.shape(2);
  if (!x || !w || !r || x.length !== 3 || w.length !== 3 || r.length !== 3 || !c.attrs) return;
  const layout = c.attrs.int(c.node, 'layout', 0);
  const dirs = w[0];
  const hidden = c.attrs.int(c.node, 'hidden_size', r[2]);
  const [seq, batch] = layout ? [x[1], x[0]] : [x[0], x[1]];
  c.set(0, layout ? [batch, seq, dirs, hidden] : [seq, dirs, batch, hidden], c.dtype(0));
  const state = layout ? [batch, dirs, hidden] : [dirs, batch, hidden];
  c.set(1, state, c.dtype(0));
  c.set(2, state.slice(), c.dtype(0));
});
