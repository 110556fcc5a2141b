import { ValueFlag, dtypeName, valueShape, type GraphIR } from '../ir.ts';
import type { InferredShapes } from './infer.ts';

/**
 * The per-value result of shape inference that the page keeps (the analysis sends it from the decode worker), and
 * the texts that show a tensor's shape: the one the file records when there is one, else the inferred one, marked
 * so a reader can tell the two apart.
 */
export interface ValueShapes {
  /** Per value: start of its dims in `dims`, -1 when even the rank is unknown. */
  shapeStart: Int32Array;
  shapeRank: Int32Array;
  /** Dimension sizes, -1 where unknown. */
  dims: Float64Array;
  /** Element type (ONNX TensorProto code), 0 where unknown. */
  dtype: Uint8Array;
  /** `ShapeSource` per value (file, inferred, unknown). */
  source: Uint8Array;
  /**
   * Input dims nobody gave a size for, bound to the default (`p2o.DynamicDimension.1 = 1`): shapes that follow from
   * them are assumptions (an image model's 1×1 feature maps), so edges leave inferred shapes out while any exist.
   */
  assumed: string[];
}

/**
 * The columns of an inference result that cross to the page (the small-tensor contents stay), and which symbol
 * bindings were defaults rather than sizes the caller (`dims`) or the batch/sequence naming rules gave.
 */
export function valueShapesOf(s: InferredShapes, dims: Readonly<Record<string, number>> = {}): ValueShapes {
  const assumed: string[] = [];
  for (const [name, size] of Object.entries(s.bindings)) {
    if (Object.hasOwn(dims, name) || NAMED_DIM.test(name)) continue;
    assumed.push(`${name} = ${size}`);
  }
  return { shapeStart: s.shapeStart, shapeRank: s.shapeRank, dims: s.dims, dtype: s.dtype, source: s.source, assumed };
}

/** Symbol names the inference binds by rule (batch and sequence sizes), as `bindSymbol` reads them. */
const NAMED_DIM = /^(batch|sequence)$|batch|^bs$|^n$|^b$|seq|token|^s$|^t$|length|_len$|^len$/i;

/** Prefix of an edge label whose shape was inferred rather than read from the file. */
export const INFERRED_MARK = '~';

/** Dims shown at most in a label; the rest is summarised. */
const MAX_SHOWN_DIMS = 12;

function dimsText(dims: readonly (number | string)[], sep: string): string {
  const shown = dims.slice(0, MAX_SHOWN_DIMS).map((d) => (d === -1 ? '?' : String(d)));
  if (dims.length > MAX_SHOWN_DIMS) shown.push(`… ${dims.length} dims`);
  return shown.join(sep);
}

/** Inferred dims of a value (-1 where unknown), or null when inference did not even find its rank. */
function inferredDims(s: ValueShapes, v: number): number[] | null {
  const start = v >= 0 && v < s.shapeStart.length ? s.shapeStart[v] : -1;
  if (start < 0) return null;
  const out: number[] = new Array(s.shapeRank[v]);
  for (let i = 0; i < out.length; i++) out[i] = s.dims[start + i];
  return out;
}

/** True when the file records no shape for the value but inference found at least its rank. */
export function hasInferredShape(ir: GraphIR, s: ValueShapes | null, v: number): boolean {
  return !!s && !(ir.valueFlags[v] & ValueFlag.HasShape) && inferredDims(s, v) !== null;
}

/**
 * An edge's shape label: `1×128×64` as recorded, `scalar` for rank 0, `~1×128×64` when only inference knows it,
 * '' when neither does.
 */
export function edgeShapeText(ir: GraphIR, s: ValueShapes | null, v: number): string {
  const recorded = valueShape(ir, v);
  if (recorded) return recorded.length === 0 ? 'scalar' : dimsText(recorded, '×');
  const dims = s && s.assumed.length === 0 ? inferredDims(s, v) : null;
  if (!dims) return '';
  return INFERRED_MARK + (dims.length === 0 ? 'scalar' : dimsText(dims, '×'));
}

/**
 * `float32[1,128] inferred`, for a value whose file records no shape, or null when inference knows nothing either;
 * `float32[1,16,1,1] inferred, assuming h = 1` when input sizes were assumed. The element type is left out when
 * inference did not find it.
 */
export function inferredTypeText(s: ValueShapes | null, v: number): string | null {
  const dims = s ? inferredDims(s, v) : null;
  if (!s || !dims) return null;
  const dt = s.dtype[v] ? dtypeName(s.dtype[v]) : '';
  const assuming = s.assumed.length
    ? `, assuming ${s.assumed.slice(0, 3).join(', ')}${s.assumed.length > 3 ? ', …' : ''}`
    : '';
  return `${dt}[${dimsText(dims, ',')}] inferred${assuming}`;
}

/**
 * A graph input's or output's type as its tensor box shows it: `int64 [1×128]`, `float32 scalar`, the shape from
 * inference marked `~` as on edges, the element type alone when no shape is known.
 */
export function tensorTypeText(ir: GraphIR, s: ValueShapes | null, v: number): string {
  const code = ir.valueDtype[v] || (s ? s.dtype[v] : 0);
  const dt = code ? dtypeName(code) : '';
  const shape = edgeShapeText(ir, s, v);
  if (!shape) return dt;
  const inferred = shape.startsWith(INFERRED_MARK);
  const dims = inferred ? shape.slice(INFERRED_MARK.length) : shape;
  const text = dims === 'scalar' ? dims : `[${dims}]`;
  return `${inferred ? INFERRED_MARK : ''}${dt ? `${dt} ` : ''}${text}`;
}
