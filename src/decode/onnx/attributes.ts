import { type GraphIR, str } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { nextSpan } from '../io/read-spans.ts';
import { WIRE_FIXED32, WIRE_LEN, WIRE_VARINT, WireStream, parseFields, streamFields } from '../protobuf/wire-stream.ts';
import { decodeNumbers } from '../tensor-preview.ts';
import { Attr, Node, Tensor } from './schema.ts';

/**
 * ONNX node attributes, read from each node's recorded byte range (`ir.nodeSourceOffset/Length`).
 *
 * Two users: the properties panel (`details.ts`, one node, display strings) and shape inference / metrics
 * (many nodes, typed values). Both go through `readAttribute`, which walks one AttributeProto.
 */

/** One AttributeProto as read from the wire; lists are capped at `maxList` items (`count` has the true length). */
export interface RawAttribute {
  name: string;
  /** AttributeProto.AttributeType (1 float, 2 int, 3 string, 4 tensor, 5 graph, 6 floats, 7 ints, 8 strings, ...). */
  type: number;
  /** `ref_attr_name` inside functions, else ''. */
  ref: string;
  floats: number[];
  ints: number[];
  strings: string[];
  /** Tensor attribute summaries (from `tensor`), or small decoded tensors for typed reads. */
  tensors: unknown[];
  graphs: string[];
  /** Items seen across all list fields (may exceed what was kept). */
  count: number;
}

export interface AttributeReadOptions {
  maxList: number;
  maxString: number;
  /** Called for a tensor attribute with the stream at its start; the result goes to `tensors`. */
  tensor?: (r: WireStream, end: number) => unknown;
  /** Called for a graph attribute; the result goes to `graphs`. Skipped when absent. */
  graph?: (r: WireStream, end: number) => string;
}

/** An attribute with nothing read yet, starting at `count` values (the true list length, see RawAttribute). */
function emptyAttribute(count: number): RawAttribute {
  return { name: '', type: 0, ref: '', floats: [], ints: [], strings: [], tensors: [], graphs: [], count };
}

/** Reads one AttributeProto that is entirely in the stream's window. */
export function readAttribute(r: WireStream, end: number, o: AttributeReadOptions): RawAttribute {
  const a = emptyAttribute(0);
  const keep = <T>(arr: T[], v: T) => {
    if (++a.count <= o.maxList) arr.push(v);
  };
  parseFields(r.at('AttributeProto'), end, (f, w, e) => {
    switch (f) {
      case Attr.name:
        if (w === WIRE_LEN) a.name = r.string(e - r.pos);
        return;
      case Attr.type:
        if (w === WIRE_VARINT) a.type = r.uint();
        else if (w !== WIRE_LEN) r.skip(w, e);
        return;
      case Attr.refAttrName:
        if (w === WIRE_LEN) a.ref = r.string(e - r.pos);
        return;
      case Attr.f:
      case Attr.floats:
        if (w === WIRE_FIXED32) keep(a.floats, r.float32());
        else if (w === WIRE_LEN) while (r.pos < e) keep(a.floats, r.float32());
        else r.skip(w, e);
        return;
      case Attr.i:
      case Attr.ints:
        if (w === WIRE_VARINT) keep(a.ints, r.int64());
        else if (w === WIRE_LEN) while (r.pos < e) keep(a.ints, r.int64());
        else r.skip(w, e);
        return;
      case Attr.s:
      case Attr.strings:
        if (w === WIRE_LEN) keep(a.strings, r.string(Math.min(e - r.pos, o.maxString)));
        return;
      case Attr.t:
      case Attr.tensors:
      case Attr.sparseTensor:
      case Attr.sparseTensors:
        if (w === WIRE_LEN && o.tensor) keep(a.tensors, o.tensor(r, e));
        else if (w === WIRE_LEN) a.count++;
        return;
      case Attr.g:
      case Attr.graphs:
        if (w === WIRE_LEN && o.graph) keep(a.graphs, o.graph(r, e));
        else if (w === WIRE_LEN) a.count++;
        return;
      default:
        if (w !== WIRE_LEN) r.skip(w, e);
    }
  });
  return a;
}

// Typed attributes for many nodes ----------------------------------------------------------------------------------

/** A small tensor held by an attribute (Constant `value`, ConstantOfShape `value`). */
export interface AttributeTensor {
  dtype: number;
  dims: number[];
  /** Decoded values when the payload is small and numeric, else null. */
  data: Float64Array | null;
}

/** A graph attribute: its position among the node's graph attributes (= the order of its sub-graphs in the IR). */
export interface AttributeGraph {
  graph: number;
}

/**
 * int → number, float → number, ints/floats → number[], string → string, strings → string[], tensor →
 * AttributeTensor, graph → AttributeGraph.
 */
export type AttributeValue = number | number[] | string | string[] | AttributeTensor | AttributeGraph;

/**
 * Decoded attributes of selected nodes. A node that was decoded has an entry (possibly empty), so "attribute
 * absent, use the operator's default" and "attributes not read" are told apart: `of(node)` is null for the latter.
 */
export class NodeAttributes {
  private readonly byNode = new Map<number, Map<string, AttributeValue>>();

  set(node: number, attrs: Map<string, AttributeValue>): void {
    this.byNode.set(node, attrs);
  }

  /** The node's attributes, or null when they were not decoded. */
  of(node: number): Map<string, AttributeValue> | null {
    return this.byNode.get(node) ?? null;
  }

  get size(): number {
    return this.byNode.size;
  }

  int(node: number, name: string, fallback: number): number {
    const v = this.byNode.get(node)?.get(name);
    return typeof v === 'number' ? v : Array.isArray(v) && typeof v[0] === 'number' && v.length === 1 ? v[0] : fallback;
  }

  ints(node: number, name: string): number[] | null {
    const v = this.byNode.get(node)?.get(name);
    if (typeof v === 'number') return [v];
    return Array.isArray(v) && (v.length === 0 || typeof v[0] === 'number') ? (v as number[]) : null;
  }

  string(node: number, name: string, fallback: string): string {
    const v = this.byNode.get(node)?.get(name);
    return typeof v === 'string' ? v : fallback;
  }

  tensor(node: number, name: string): AttributeTensor | null {
    const v = this.byNode.get(node)?.get(name);
    return v && typeof v === 'object' && 'dims' in v ? v : null;
  }

  /** Index of the named graph attribute among the node's sub-graphs, or -1. */
  graph(node: number, name: string): number {
    const v = this.byNode.get(node)?.get(name);
    return v && typeof v === 'object' && 'graph' in v ? v.graph : -1;
  }
}

/** Node records up to this size are read whole; larger ones (If/Loop bodies) are streamed, their graphs skipped. */
const MAX_NODE_BYTES = 1 << 20;
/** Lists longer than this are not shape attributes (perm, pads, ...); keep them bounded against hostile files. */
const MAX_TYPED_LIST = 1024;
/** One read of node records never exceeds this. */
const MAX_SPAN = 4 << 20;
/** Tensor attributes with more elements than this keep their header only. */
const MAX_TENSOR_ELEMENTS = 4096;

/**
 * Decodes the attributes of every node whose op type is in `ops` (all nodes when `ops` is omitted) and that passes
 * `filter`, in one pass over the file in offset order, so consecutive node records come from one read. ONNX only
 * (the IR must come from the ONNX decoder: node ranges are NodeProto records).
 */
export async function decodeOnnxAttributes(
  source: ByteSource,
  ir: GraphIR,
  ops?: ReadonlySet<string>,
  filter?: (node: number) => boolean,
): Promise<NodeAttributes> {
  const out = new NodeAttributes();
  const wanted: number[] = [];
  // Asked once per op string that nodes use (1 yes, 2 no): the table's millions of names are never read.
  const opWanted = new Uint8Array(ops ? ir.strings.length : 0);
  if (ops) {
    for (let n = 0; n < ir.nodeCount; n++) {
      const op = ir.nodeOp[n];
      if (opWanted[op] === 0) opWanted[op] = ops.has(str(ir, op)) ? 1 : 2;
    }
  }
  for (let n = 0; n < ir.nodeCount; n++) {
    if ((ops && opWanted[ir.nodeOp[n]] !== 1) || (filter && !filter(n))) continue;
    if (ir.nodeSourceOffset[n] < 0 || ir.nodeSourceLength[n] <= 0) continue;
    wanted.push(n);
  }
  wanted.sort((a, b) => ir.nodeSourceOffset[a] - ir.nodeSourceOffset[b]);
  const r = new WireStream(source);
  const options: AttributeReadOptions = { maxList: MAX_TYPED_LIST, maxString: 256, tensor: readSmallTensor };
  // One node at a time; the handlers are shared and write into the current node's map.
  let attrs = new Map<string, AttributeValue>();
  let graphs = 0;
  const add = (a: RawAttribute) => {
    if (a.type === 5 || a.type === 10) {
      attrs.set(a.name, { graph: graphs });
      graphs += a.type === 5 ? 1 : Math.max(1, a.count);
      return;
    }
    if (a.ref || a.count > MAX_TYPED_LIST) return;
    const value = typedValue(a);
    if (value !== undefined) attrs.set(a.name, value);
  };
  const field = (f: number, w: number, e: number) => {
    if (f === Node.attribute && w === WIRE_LEN) add(readAttribute(r, e, options));
    else if (w !== WIRE_LEN) r.skip(w, e);
  };
  let spanEnd = -1;
  for (let k = 0; k < wanted.length; k++) {
    const n = wanted[k];
    const start = ir.nodeSourceOffset[n];
    const end = start + ir.nodeSourceLength[n];
    if (end > spanEnd) {
      // The records up to the next large gap in one read: over HTTP each read is a request, and the stream's own
      // read-ahead starts over at every jump (a 1M-node chain's LayerNorm records: 2,400 reads of 64 KB, 40 now).
      const span = nextSpan(wanted, k, ir.nodeSourceOffset, ir.nodeSourceLength, MAX_SPAN);
      spanEnd = span.end;
      if (span.next > k + 1) {
        r.pos = start;
        // Past the file's end (a record's recorded range is wrong): each record then fails on its own, below.
        await r.need(spanEnd - start).catch(() => undefined);
      }
    }
    attrs = new Map<string, AttributeValue>();
    graphs = 0;
    r.pos = start;
    try {
      await readNode(r, start, end, field, add);
    } catch {
      // A malformed record: this node's attributes stay undecoded (shape inference then leaves its outputs unknown).
      continue;
    }
    out.set(n, attrs);
  }
  return out;
}

async function readNode(
  r: WireStream,
  start: number,
  end: number,
  field: (f: number, w: number, e: number) => void,
  add: (a: RawAttribute) => void,
): Promise<void> {
  if (end - start <= MAX_NODE_BYTES) {
    await r.need(end - start);
    parseFields(r.at('NodeProto'), end, field);
  } else {
    // A node holding a large sub-graph: stream it; a huge attribute only gives its name and type.
    await streamFields(r.at('NodeProto'), end, field, async (f, e) => {
      if (f !== Node.attribute) return;
      const a = emptyAttribute(1);
      await streamFields(
        r.at('AttributeProto'),
        e,
        (f2, w2, e2) => {
          if (f2 === Attr.name && w2 === WIRE_LEN) a.name = r.string(e2 - r.pos);
          else if (f2 === Attr.type && w2 === WIRE_VARINT) a.type = r.uint();
          else if (w2 !== WIRE_LEN) r.skip(w2, e2);
        },
        async () => {},
      );
      add(a);
    });
  }
}

function typedValue(a: RawAttribute): AttributeValue | undefined {
  switch (a.type) {
    case 1:
      return a.floats[0] ?? 0;
    case 2:
      return a.ints[0] ?? 0;
    case 3:
      return a.strings[0] ?? '';
    case 4:
      return (a.tensors[0] as AttributeTensor | undefined) ?? undefined;
    case 6:
      return a.floats;
    case 7:
      return a.ints;
    case 8:
      return a.strings;
    case 0:
      // Old exporters leave `type` unset: infer from what is present.
      if (a.ints.length) return a.ints.length === 1 ? a.ints[0] : a.ints;
      if (a.floats.length) return a.floats.length === 1 ? a.floats[0] : a.floats;
      if (a.strings.length) return a.strings[0];
      return undefined;
    default:
      return undefined;
  }
}

/** Header and (when small) values of a TensorProto held inline in the node record. */
function readSmallTensor(r: WireStream, end: number): AttributeTensor {
  const t: AttributeTensor = { dtype: 0, dims: [], data: null };
  let payload = null as Uint8Array | null;
  let encoding = 0;
  parseFields(r.at('TensorProto'), end, (f, w, e) => {
    if (f === Tensor.dims) {
      if (w === WIRE_LEN) while (r.pos < e) t.dims.push(r.int64());
      else if (w === WIRE_VARINT) t.dims.push(r.int64());
      else r.skip(w, e);
    } else if (f === Tensor.dataType && w === WIRE_VARINT) t.dtype = r.uint();
    else if (w === WIRE_LEN) {
      const enc =
        f === Tensor.rawData
          ? 0
          : f === Tensor.floatData
            ? 1
            : f === Tensor.int32Data || f === Tensor.int64Data || f === Tensor.uint64Data
              ? 2
              : f === Tensor.doubleData
                ? 3
                : -1;
      if (enc >= 0) {
        payload = r.bytes(e - r.pos);
        encoding = enc;
      }
    } else r.skip(w, e);
  });
  let elements = 1;
  for (const d of t.dims) elements *= d;
  if (payload && elements <= MAX_TENSOR_ELEMENTS) {
    const data = decodeNumbers(payload, t.dtype, encoding);
    if (data && data.length === elements) t.data = data;
  } else if (elements === 0) t.data = new Float64Array(0);
  return t;
}
