import { constantInputCounts, foldConstants, isConstantValue } from '../graph/fold.ts';
import { ValueFlag, str, valueShape, type GraphIR } from '../graph/ir.ts';
import type { BoxRows } from './api.ts';
import type { AttributeView, OpenModel } from './decoder.ts';
import type { OpFacts } from './input-roles.ts';
import type { PrefetchSource } from './io/prefetch-source.ts';
import { loadSmallConstants } from './small-constants.ts';

export interface BoxRowOptions {
  /** Fold constant-producing nodes into their consumers (false: they stay boxes; initializers are rows either way). */
  fold: boolean;
  facts: OpFacts;
  /** Decode attribute rows only up to this many nodes (one pass over the node records). */
  maxAttributeNodes: number;
  /** Holds the node records in memory while their attributes are decoded (see PrefetchSource). */
  prefetch: PrefetchSource | null;
}

/** At most this many constant rows, and this many attribute rows, per box: the box stays a box. */
export const MAX_CONSTANT_ROWS = 6;
export const MAX_ATTRIBUTE_ROWS = 4;
/** Constants with at most this many elements are shown by value (`axes = [1]`), larger ones by shape. */
const MAX_VALUE_ELEMENTS = 6;
/** Attribute values longer than this are left to the properties panel. */
const MAX_ATTRIBUTE_CHARS = 40;
/** Files up to this size are held whole in memory while their attributes are decoded. */
const WHOLE_FILE_BYTES = 16 << 20;
/** Attributes whose value belongs in the title, not in a row. */
const TITLE_ATTRIBUTES = new Set(['fused_activation_function', 'fused_activation', 'activation']);
// `input`: a Core ML argument bound to another op's output, already drawn as an edge.
const HIDDEN_TYPES = new Set(['tensor', 'tensors', 'graph', 'graphs', 'sparse_tensor', 'type_proto', 'input']);
/** Attribute names that describe storage, not the operation (TFLite per-tensor quantization). */
const HIDDEN_NAMES = /quantization|^version$/;

export async function buildBoxRows(model: OpenModel, options: BoxRowOptions): Promise<BoxRows> {
  const ir = model.ir;
  const t0 = performance.now();
  const folded = options.fold ? foldConstants(ir) : new Uint8Array(ir.nodeCount);
  const constRows = constantInputCounts(ir, folded);
  const t1 = performance.now();
  // Reading every small constant is one range read each: on the first frame's path only for models whose attributes
  // are read too; larger ones show constants by shape until a box's properties are opened.
  const values =
    ir.nodeCount <= options.maxAttributeNodes
      ? await loadSmallConstants(model.source, ir)
      : new Map<number, Float64Array>();
  const t2 = performance.now();
  const attributes =
    ir.nodeCount <= options.maxAttributeNodes ? await attributeRows(model, folded, options.prefetch) : null;
  const t3 = performance.now();

  const rowOffsets = new Uint32Array(ir.nodeCount + 1);
  const rowText: string[] = [];
  const rowValue: number[] = [];
  const titles = new Map<number, string>();
  for (let v = 0; v < ir.nodeCount; v++) {
    rowOffsets[v] = rowText.length;
    if (folded[v]) continue;
    const attrs = attributes?.[v];
    // Core ML binds arguments by value name: the argument names its constant's role, and a small const is listed
    // once, as the argument row with its value (`strides = [1, 1]`).
    const bound = attrs ? new Map(attrs.filter((a) => a.binding).map((a) => [a.binding, a])) : null;
    if (constRows[v]) {
      const roles = options.facts.roles(str(ir, ir.nodeOp[v]));
      const base = ir.nodeInputOffsets[v];
      let shown = 0;
      for (let k = base; k < ir.nodeInputOffsets[v + 1] && shown < MAX_CONSTANT_ROWS; k++) {
        const val = ir.nodeInputs[k];
        if (!isConstantValue(ir, folded, val)) continue;
        const arg = bound?.get(str(ir, ir.valueName[val]));
        if (arg?.type === 'constant') continue;
        const role = roles?.[k - base] ?? arg?.name ?? fallbackRole(ir, val, k - base);
        rowText.push(constantRow(ir, val, role, values.get(val)));
        rowValue.push(val);
        shown++;
      }
    }
    if (attrs) {
      const op = str(ir, ir.nodeOp[v]);
      let shown = 0;
      for (const a of attrs) {
        if (TITLE_ATTRIBUTES.has(a.name)) {
          if (a.value && a.value !== 'NONE' && a.value !== '"NONE"') titles.set(v, a.value.replace(/"/g, ''));
          continue;
        }
        if (shown >= MAX_ATTRIBUTE_ROWS || !a.value || HIDDEN_TYPES.has(a.type) || a.value.length > MAX_ATTRIBUTE_CHARS)
          continue;
        if (HIDDEN_NAMES.test(a.name)) continue;
        if (options.facts.isDefault(op, a.name, a.value)) continue;
        rowText.push(`${a.name} = ${a.value}`);
        rowValue.push(-1);
        shown++;
      }
    }
  }
  rowOffsets[ir.nodeCount] = rowText.length;
  return {
    folded,
    rowOffsets,
    rowText,
    rowValue: Int32Array.from(rowValue),
    titles,
    attributes: attributes !== null,
    timings: { foldMs: t1 - t0, constantsMs: t2 - t1, attributesMs: t3 - t2 },
  };
}

/** Attributes of every shown node, their records read in a few merged spans. */
async function attributeRows(
  model: OpenModel,
  folded: Uint8Array,
  prefetch: PrefetchSource | null,
): Promise<(AttributeView[] | null)[]> {
  const ir = model.ir;
  const out: (AttributeView[] | null)[] = new Array(ir.nodeCount).fill(null);
  const run = async () => {
    // One node at a time: readers that page the file (TFLite) share their pages instead of racing for them.
    for (let v = 0; v < ir.nodeCount; v++) {
      if (folded[v]) continue;
      try {
        out[v] = (await model.nodeDetails(v)).attributes;
      } catch {
        // A node whose record does not decode just lists no attributes; its properties panel says why.
      }
    }
  };
  if (!prefetch) await run();
  else if (prefetch.size <= WHOLE_FILE_BYTES) {
    // Small files are held whole: formats whose records have no recorded length (TFLite tables) read by pages.
    await prefetch.holding([0], [prefetch.size], run);
  } else {
    const offsets = ir.nodeSourceOffset.map((o, v) => (folded[v] ? -1 : o));
    await prefetch.holding(offsets, ir.nodeSourceLength, run);
  }
  return out;
}

/** `B = 3`, `axes = [1]`, `W ⟨16×3×3×3⟩`; a weight whose file is absent says so. */
export function constantRow(ir: GraphIR, val: number, role: string, numbers: Float64Array | undefined): string {
  if (numbers && numbers.length <= MAX_VALUE_ELEMENTS) {
    const shape = valueShape(ir, val);
    const items = Array.from(numbers, formatNumber);
    return `${role} = ${shape && shape.length === 0 && items.length === 1 ? items[0] : `[${items.join(', ')}]`}`;
  }
  const shape = valueShape(ir, val);
  const dims = shape ? (shape.length ? shape.map((d) => (d === -1 ? '?' : String(d))).join('×') : 'scalar') : '?';
  return `${role} ⟨${dims}⟩`;
}

/** Without a schema: the constant's own short name (`bias`, `gamma`), else its input position. */
function fallbackRole(ir: GraphIR, val: number, slot: number): string {
  const name = str(ir, ir.valueName[val]);
  const tail = name.split(/[/:.]/).filter(Boolean).pop() ?? '';
  if (tail && tail.length <= 12 && !/^\d+$/.test(tail) && !(ir.valueFlags[val] & ValueFlag.ConstantNode)) return tail;
  return `in${slot}`;
}

function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return String(+x.toPrecision(4));
}
