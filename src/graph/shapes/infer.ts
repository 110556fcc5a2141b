import { MAIN_GRAPH, ValueFlag, str, type GraphIR } from '../ir.ts';
import { topologicalOrder } from '../topological-order.ts';
import type { AttributeLookup } from './attributes.ts';
import { MAX_RANK, type Ctx, type Shape } from './kernel.ts';
import { KERNELS } from './kernels.ts';
import { ShapeStore } from './store.ts';

/**
 * Static shape inference over a GraphIR: fills in output shapes (and element types) that the file leaves out.
 * ONNX exports often carry no value_info, so a Conv's output size is not in the file; FLOPs need it.
 *
 * - Pure and synchronous. What it needs from the file is passed in: small constant tensors (`constants`, see
 *   `loadSmallConstants` in `src/profile/analyze.ts`) and decoded node attributes (`attributes`, see
 *   `decodeOnnxAttributes`; `ATTRIBUTE_OPS` in `attributes.ts` lists the ops that read them). Without
 *   attributes, ops that need them (Conv strides, Transpose perm, ...) stay partly unknown; nothing is guessed.
 * - O(nodes + edges): one topological pass; each kernel looks at its own inputs only.
 * - Symbolic dimensions are bound to numbers: `dims` by name, then `batch`/`sequence`-like names, then `defaultDim`.
 * - Small integer tensors are evaluated on the way (Shape → Gather → Unsqueeze → Concat → Reshape chains), up to
 *   `maxValueElements` elements, so Reshape targets computed at run time still resolve.
 * - An op without a kernel, or whose inputs are unknown, leaves its outputs unknown (rank and/or dims -1): an
 *   unknown is never replaced by a guess. Shapes the file states are kept when fully known.
 * - Kernels live in `kernels-<op family>.ts`, collected in `kernels.ts`.
 * - TFLite (and other formats whose decoders record every tensor's shape) need no inference: their shapes pass
 *   through; kernels are keyed by ONNX op names only.
 */

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

const DEFAULT_DIMS: Readonly<Record<string, number>> = { batch: 1, sequence: 128 };

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
  const isModelInput = (v: number) =>
    (ir.valueFlags[v] & ValueFlag.GraphInput) !== 0 && ir.valueGraph[v] === MAIN_GRAPH;
  for (let v = 0; v < n; v++) {
    if (!isModelInput(v) || !(ir.valueFlags[v] & ValueFlag.HasShape)) continue;
    for (let i = ir.valueShapeOffsets[v]; i < ir.valueShapeOffsets[v + 1]; i++)
      if (ir.valueShapeSymbols[i] >= 0) bind(str(ir, ir.valueShapeSymbols[i]));
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
      return v >= 0 ? (values.get(v) ?? null) : null;
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
    subgraphOutputs: () =>
      (subgraphsOf.get(ctx.node) ?? []).map((g) =>
        ir.graphOutputs.subarray(ir.graphOutputOffsets[g], ir.graphOutputOffsets[g + 1]),
      ),
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
    ctx.attrs = attributes?.of(node) ? attributes : null;
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
