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
  /**
   * Called as soon as every box's row count is known, before the constants' values are read and the rows' text
   * is built: a box's height depends only on its row count, so the layout can start here.
   */
  onCounts?: (folded: Uint8Array, rowCounts: Uint16Array) => void;
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
/** Attribute names that describe storage, not the operation (TFLite per-tensor quantization, OpenVINO layer ids). */
const HIDDEN_NAMES = /quantization|^version$|^id$/;

export async function buildBoxRows(model: OpenModel, options: BoxRowOptions): Promise<BoxRows> {
  const ir = model.ir;
  const t0 = performance.now();
  const folded = options.fold ? foldConstants(ir) : new Uint8Array(ir.nodeCount);
  const t1 = performance.now();
  // Models up to maxAttributeNodes list attributes and small constants by value; reading them is on the first
  // frame's path, so larger ones show constants by shape until a box's properties are opened.
  const listed = ir.nodeCount <= options.maxAttributeNodes;
  let attributes: AttributeRows | null = null;
  let values = new Map<number, Float64Array>();
  let t2 = t1;
  await holdingRecords(model, folded, listed ? options.prefetch : null, async () => {
    attributes = listed ? shownAttributes(ir, await attributeRows(model, folded), options.facts) : null;
    t2 = performance.now();
    options.onCounts?.(folded, rowCounts(ir, folded, attributes));
    // Read in the same window: a small file is held whole, so its constants cost no further request.
    if (listed) values = await loadSmallConstants(model.source, ir);
  });
  const t3 = performance.now();
  const attrs = attributes as AttributeRows | null;

  const rowOffsets = new Uint32Array(ir.nodeCount + 1);
  const texts = new TextTable();
  const rowText: number[] = [];
  const rowValue: number[] = [];
  for (let v = 0; v < ir.nodeCount; v++) {
    rowOffsets[v] = rowText.length;
    if (folded[v]) continue;
    const bound = attrs?.bound[v] ?? null;
    const shown = shownConstants(ir, folded, v, bound);
    if (shown.length) {
      const roles = options.facts.roles(str(ir, ir.nodeOp[v]));
      const base = ir.nodeInputOffsets[v];
      for (const k of shown) {
        const val = ir.nodeInputs[k];
        const role =
          roles?.[k - base] ?? bound?.get(str(ir, ir.valueName[val]))?.name ?? fallbackRole(ir, val, k - base);
        rowText.push(texts.index(constantRow(ir, val, role, values.get(val))));
        rowValue.push(val);
      }
    }
    for (const text of attrs?.rows[v] ?? []) {
      rowText.push(texts.index(text));
      rowValue.push(-1);
    }
  }
  rowOffsets[ir.nodeCount] = rowText.length;
  return {
    folded,
    rowOffsets,
    texts: texts.texts,
    rowText: Uint32Array.from(rowText),
    rowValue: Int32Array.from(rowValue),
    titles: attrs?.titles ?? new Map(),
    attributes: attrs !== null,
    timings: { foldMs: t1 - t0, attributesMs: t2 - t1, constantsMs: t3 - t2 },
  };
}

/** Distinct strings, each given the index of its first occurrence. */
class TextTable {
  readonly texts: string[] = [];
  private readonly indices = new Map<string, number>();

  index(text: string): number {
    let i = this.indices.get(text);
    if (i === undefined) {
      i = this.texts.length;
      this.texts.push(text);
      this.indices.set(text, i);
    }
    return i;
  }
}

/** The attribute rows boxes list (defaults, storage details and long values left out) and title suffixes. */
interface AttributeRows {
  rows: (string[] | null)[];
  titles: Map<number, string>;
  /**
   * Core ML binds arguments by value name: the argument names its constant's role, and a small const is listed
   * once, as the argument row with its value (`strides = [1, 1]`), not again as a constant row.
   */
  bound: (Map<string, AttributeView> | null)[];
}

function shownAttributes(ir: GraphIR, attributes: (AttributeView[] | null)[], facts: OpFacts): AttributeRows {
  const rows: (string[] | null)[] = new Array(ir.nodeCount).fill(null);
  const titles = new Map<number, string>();
  const bound: (Map<string, AttributeView> | null)[] = new Array(ir.nodeCount).fill(null);
  for (let v = 0; v < ir.nodeCount; v++) {
    const attrs = attributes[v];
    if (!attrs) continue;
    const bindings = attrs.filter((a) => a.binding);
    if (bindings.length) bound[v] = new Map(bindings.map((a) => [a.binding as string, a]));
    const op = str(ir, ir.nodeOp[v]);
    const out: string[] = [];
    for (const a of attrs) {
      if (TITLE_ATTRIBUTES.has(a.name)) {
        if (a.value && a.value !== 'NONE' && a.value !== '"NONE"') titles.set(v, a.value.replace(/"/g, ''));
        continue;
      }
      if (
        out.length >= MAX_ATTRIBUTE_ROWS ||
        !a.value ||
        HIDDEN_TYPES.has(a.type) ||
        a.value.length > MAX_ATTRIBUTE_CHARS
      )
        continue;
      if (HIDDEN_NAMES.test(a.name)) continue;
      if (facts.isDefault(op, a.name, a.value)) continue;
      out.push(`${a.name} = ${a.value}`);
    }
    rows[v] = out;
  }
  return { rows, titles, bound };
}

/** Input slots of node v whose constants it lists as rows (at most MAX_CONSTANT_ROWS). */
function shownConstants(
  ir: GraphIR,
  folded: Uint8Array,
  v: number,
  bound: Map<string, AttributeView> | null,
): number[] {
  const out: number[] = [];
  for (let k = ir.nodeInputOffsets[v]; k < ir.nodeInputOffsets[v + 1] && out.length < MAX_CONSTANT_ROWS; k++) {
    const val = ir.nodeInputs[k];
    if (!isConstantValue(ir, folded, val)) continue;
    if (bound?.get(str(ir, ir.valueName[val]))?.type === 'constant') continue;
    out.push(k);
  }
  return out;
}

/** Rows per box, exactly as buildBoxRows lists them. */
function rowCounts(ir: GraphIR, folded: Uint8Array, attributes: AttributeRows | null): Uint16Array {
  // Only nodes with bound arguments (Core ML) need the exact walk; the rest count their constant inputs.
  const constants = constantInputCounts(ir, folded);
  const counts = new Uint16Array(ir.nodeCount);
  for (let v = 0; v < ir.nodeCount; v++) {
    if (folded[v]) continue;
    const bound = attributes?.bound[v] ?? null;
    const shown = bound ? shownConstants(ir, folded, v, bound).length : Math.min(constants[v], MAX_CONSTANT_ROWS);
    counts[v] = shown + (attributes?.rows[v]?.length ?? 0);
  }
  return counts;
}

/**
 * Runs `task` with the node records in memory when attributes are read (`prefetch` given): a small file whole,
 * a larger one in merged spans around the records.
 */
async function holdingRecords(
  model: OpenModel,
  folded: Uint8Array,
  prefetch: PrefetchSource | null,
  task: () => Promise<void>,
): Promise<void> {
  if (!prefetch) return task();
  // Small files are held whole: formats whose records have no recorded length (TFLite tables) read by pages.
  if (prefetch.size <= WHOLE_FILE_BYTES) return prefetch.holding([0], [prefetch.size], task);
  const ir = model.ir;
  const offsets = ir.nodeSourceOffset.map((o, v) => (folded[v] ? -1 : o));
  return prefetch.holding(offsets, ir.nodeSourceLength, task);
}

/** Attributes of every shown node (read from the records held by holdingRecords, when they are). */
async function attributeRows(model: OpenModel, folded: Uint8Array): Promise<(AttributeView[] | null)[]> {
  const ir = model.ir;
  const out: (AttributeView[] | null)[] = new Array(ir.nodeCount).fill(null);
  // One node at a time: readers that page the file (TFLite) share their pages instead of racing for them.
  for (let v = 0; v < ir.nodeCount; v++) {
    if (folded[v]) continue;
    try {
      out[v] = (await model.nodeDetails(v)).attributes;
    } catch {
      // A node whose record does not decode just lists no attributes; its properties panel says why.
    }
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
