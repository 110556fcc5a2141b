import { dtypeName, type GraphIR } from '../../graph/ir.ts';
import { BufferSource, type ByteSource } from '../io/byte-source.ts';
import { readNodeRecord, type AttributeView, type NodeDetails } from '../decoder.ts';
import { WIRE_LEN, WIRE_VARINT, WireStream, parseFields } from '../protobuf/wire-stream.ts';
import { readAttribute } from './attributes.ts';
import { ATTR_TYPE_NAMES, Node, Tensor } from './schema.ts';

const MAX_LIST = 16;
const MAX_STRING = 256;

/** Decodes one node's attributes from its recorded byte range: the work is proportional to that node only. */
export async function onnxNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  const attributes: AttributeView[] = [];
  let doc = '';
  // Sub-graph attributes can be huge; read at most a bounded window and summarise what is inside it.
  const record = await readNodeRecord(source, ir, node, 64 << 20);
  if (!record) return { attributes };
  const r = new WireStream(new BufferSource(record, source.name));
  await r.need(record.length);
  parseFields(r.at('NodeProto'), record.length, (f, w, e) => {
    if (w !== WIRE_LEN) return r.skip(w, e);
    if (f === Node.attribute) attributes.push(readAttributeView(r, e));
    else if (f === Node.docString) doc = r.string(Math.min(e - r.pos, 4096));
  });
  return doc ? { attributes, doc } : { attributes };
}

function readAttributeView(r: WireStream, end: number): AttributeView {
  const a = readAttribute(r, end, {
    maxList: MAX_LIST,
    maxString: MAX_STRING,
    tensor: tensorSummary,
    graph: graphSummary,
  });
  const { type, count } = a;
  const typeName = ATTR_TYPE_NAMES[type] ?? `type ${type}`;
  const more = count > MAX_LIST ? `, … (${count} items)` : '';
  let value: string;
  if (a.ref) value = `@${a.ref}`;
  else if (a.floats.length) value = list(a.floats.map(formatFloat), type === 1) + more;
  else if (a.ints.length) value = list(a.ints.map(String), type === 2) + more;
  else if (a.strings.length)
    value =
      list(
        a.strings.map((s) => JSON.stringify(s)),
        type === 3,
      ) + more;
  else if (a.tensors.length) value = list(a.tensors as string[], type === 4) + more;
  else if (a.graphs.length) value = list(a.graphs, type === 5) + more;
  else value = type === 6 || type === 7 || type === 8 ? '[]' : '';
  return { name: a.name, type: typeName, value };
}

function list(items: string[], scalar: boolean): string {
  return scalar && items.length === 1 ? items[0] : `[${items.join(', ')}]`;
}

function formatFloat(v: number): string {
  return Number.isInteger(v) ? v.toFixed(1) : String(Math.fround(v) === v ? +v.toPrecision(7) : v);
}

function tensorSummary(r: WireStream, end: number): string {
  let dtype = 0;
  const dims: number[] = [];
  let name = '';
  parseFields(r.at('TensorProto'), end, (f, w, e) => {
    if (f === Tensor.dims) {
      if (w === WIRE_LEN) while (r.pos < e) dims.push(r.int64());
      else if (w === WIRE_VARINT) dims.push(r.int64());
      else r.skip(w, e);
    } else if (f === Tensor.dataType && w === WIRE_VARINT) dtype = r.uint();
    else if (f === Tensor.name && w === WIRE_LEN) name = r.string(Math.min(e - r.pos, MAX_STRING));
    else if (w !== WIRE_LEN) r.skip(w, e);
  });
  return `${name ? `${name}: ` : ''}${dtypeName(dtype)}[${dims.join(',')}]`;
}

function graphSummary(r: WireStream, end: number): string {
  let name = '';
  let nodes = 0;
  parseFields(r.at('GraphProto'), end, (f, w, e) => {
    if (w !== WIRE_LEN) return r.skip(w, e);
    if (f === 1) nodes++;
    else if (f === 2) name = r.string(Math.min(e - r.pos, MAX_STRING));
  });
  return `graph ${name || '(unnamed)'} (${nodes} nodes)`;
}
