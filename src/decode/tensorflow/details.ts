import type { GraphIR } from '../../graph/ir.ts';
import { BufferSource, type ByteSource } from '../io/byte-source.ts';
import { TextFormatParser, field, fields, type TextMessage } from '../text/text-format.ts';
import { WIRE_FIXED32, WIRE_LEN, WIRE_VARINT, WireStream, parseFields } from '../protobuf/wire-stream.ts';
import { readNodeRecord, type AttributeView, type NodeDetails } from '../decoder.ts';
import {
  AttrValue,
  Dim,
  ListValue,
  MapEntry,
  NameAttrList,
  NodeDef,
  Tensor,
  TensorShape,
  tfDtypeName,
} from './schema.ts';

const MAX_LIST = 16;
const MAX_STRING = 256;
const MAX_NODE_BYTES = 64 << 20;
const utf8 = new TextDecoder('utf-8');

/** A node's attributes, device and control inputs, decoded from its recorded NodeDef only. */
export async function tfNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  const attributes: AttributeView[] = [];
  const bytes = await readNodeRecord(source, ir, node, MAX_NODE_BYTES);
  if (!bytes?.length) return { attributes };
  const control: string[] = [];
  let device = '';
  const container = ir.metadata.container ?? '';
  if (container.endsWith('_text')) {
    const def = new TextFormatParser(bytes, source.name, ir.nodeSourceOffset[node]).parse().fields[0]?.message;
    if (!def) return { attributes };
    for (const f of fields(def, 'input')) if (f.text.startsWith('^')) control.push(f.text.slice(1));
    device = field(def, 'device')?.text ?? '';
    for (const a of fields(def, 'attr')) {
      if (!a.message) continue;
      const key = field(a.message, 'key')?.text ?? '';
      const value = field(a.message, 'value')?.message;
      attributes.push({ name: key, ...(value ? textAttr(value) : { type: '', value: '' }) });
    }
  } else {
    const r = new WireStream(new BufferSource(bytes, source.name));
    await r.need(bytes.length);
    parseFields(r.at('NodeDef'), bytes.length, (f, w, e) => {
      if (w !== WIRE_LEN) return r.skip(w, e);
      if (f === NodeDef.input) {
        const s = r.string(Math.min(e - r.pos, MAX_STRING));
        if (s.startsWith('^')) control.push(s.slice(1));
      } else if (f === NodeDef.device) device = r.string(Math.min(e - r.pos, MAX_STRING));
      else if (f === NodeDef.attr) {
        let name = '';
        let view = { type: '', value: '' };
        parseFields(r.at('NodeDef.attr'), e, (f2, w2, e2) => {
          if (w2 !== WIRE_LEN) return r.skip(w2, e2);
          if (f2 === MapEntry.key) name = r.string(Math.min(e2 - r.pos, MAX_STRING));
          else if (f2 === MapEntry.value) view = binaryAttr(r, e2);
        });
        attributes.push({ name, ...view });
      }
    });
  }
  attributes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (device) attributes.push({ name: 'device', type: 'string', value: device });
  if (control.length)
    attributes.push({
      name: 'control inputs',
      type: 'list(node)',
      value: list(control.slice(0, MAX_LIST), control.length),
    });
  return { attributes };
}

function list(items: string[], total: number): string {
  return `[${items.join(', ')}${total > items.length ? `, … (${total} items)` : ''}]`;
}

function printable(bytes: Uint8Array): string {
  for (const c of bytes) if (c < 9 || (c > 13 && c < 32)) return `<${bytes.length} bytes>`;
  return JSON.stringify(utf8.decode(bytes));
}

function formatFloat(v: number): string {
  return Number.isInteger(v) ? v.toFixed(1) : String(+v.toPrecision(7));
}

function binaryAttr(r: WireStream, end: number): { type: string; value: string } {
  let out = { type: '', value: '' };
  parseFields(r.at('AttrValue'), end, (f, w, e) => {
    switch (f) {
      case AttrValue.list:
        if (w === WIRE_LEN) out = binaryList(r, e);
        return;
      case AttrValue.s:
        if (w === WIRE_LEN) out = { type: 'string', value: printable(r.bytes(Math.min(e - r.pos, MAX_STRING))) };
        return;
      case AttrValue.i:
        if (w === WIRE_VARINT) out = { type: 'int', value: String(r.int64()) };
        else if (w !== WIRE_LEN) r.skip(w, e);
        return;
      case AttrValue.f:
        if (w === WIRE_FIXED32) out = { type: 'float', value: formatFloat(r.float32()) };
        else if (w !== WIRE_LEN) r.skip(w, e);
        return;
      case AttrValue.b:
        if (w === WIRE_VARINT) out = { type: 'bool', value: String(r.uint() !== 0) };
        else if (w !== WIRE_LEN) r.skip(w, e);
        return;
      case AttrValue.type:
        if (w === WIRE_VARINT) out = { type: 'type', value: tfDtypeName(r.uint()) };
        else if (w !== WIRE_LEN) r.skip(w, e);
        return;
      case AttrValue.shape:
        if (w === WIRE_LEN) out = { type: 'shape', value: binaryShape(r, e) };
        return;
      case AttrValue.tensor:
        if (w === WIRE_LEN) out = { type: 'tensor', value: binaryTensor(r, e) };
        return;
      case AttrValue.placeholder:
        if (w === WIRE_LEN) out = { type: 'placeholder', value: `$${r.string(Math.min(e - r.pos, MAX_STRING))}` };
        return;
      case AttrValue.func:
        if (w === WIRE_LEN) out = { type: 'func', value: funcName(r, e) };
        return;
      default:
        if (w !== WIRE_LEN) r.skip(w, e);
    }
  });
  return out;
}

function binaryList(r: WireStream, end: number): { type: string; value: string } {
  const items: string[] = [];
  let count = 0;
  let kind = '';
  const push = (k: string, v: () => string) => {
    kind = k;
    // Always read the value (a packed loop advances by reading), keep only the first few.
    const s = v();
    if (++count <= MAX_LIST) items.push(s);
  };
  parseFields(r.at('AttrValue.ListValue'), end, (f, w, e) => {
    const packed = w === WIRE_LEN;
    switch (f) {
      case ListValue.s:
        if (w === WIRE_LEN) push('string', () => printable(r.bytes(Math.min(e - r.pos, MAX_STRING))));
        return;
      case ListValue.i:
        if (packed) while (r.pos < e) push('int', () => String(r.int64()));
        else if (w === WIRE_VARINT) push('int', () => String(r.int64()));
        else r.skip(w, e);
        return;
      case ListValue.f:
        if (packed) while (r.pos < e) push('float', () => formatFloat(r.float32()));
        else if (w === WIRE_FIXED32) push('float', () => formatFloat(r.float32()));
        else r.skip(w, e);
        return;
      case ListValue.b:
        if (packed) while (r.pos < e) push('bool', () => String(r.uint() !== 0));
        else if (w === WIRE_VARINT) push('bool', () => String(r.uint() !== 0));
        else r.skip(w, e);
        return;
      case ListValue.type:
        if (packed) while (r.pos < e) push('type', () => tfDtypeName(r.uint()));
        else if (w === WIRE_VARINT) push('type', () => tfDtypeName(r.uint()));
        else r.skip(w, e);
        return;
      case ListValue.shape:
        if (packed) push('shape', () => binaryShape(r, e));
        return;
      case ListValue.tensor:
        if (packed) push('tensor', () => binaryTensor(r, e));
        return;
      case ListValue.func:
        if (packed) push('func', () => funcName(r, e));
        return;
      default:
        if (!packed) r.skip(w, e);
    }
  });
  return { type: `list(${kind})`, value: list(items, count) };
}

function binaryShape(r: WireStream, end: number): string {
  const dims: string[] = [];
  let unknown = false;
  parseFields(r.at('TensorShapeProto'), end, (f, w, e) => {
    if (f === TensorShape.unknownRank && w === WIRE_VARINT) unknown = r.uint() !== 0;
    else if (f === TensorShape.dim && w === WIRE_LEN) {
      let size = -1;
      let name = '';
      parseFields(r, e, (f2, w2, e2) => {
        if (f2 === Dim.size && w2 === WIRE_VARINT) size = r.int64();
        else if (f2 === Dim.name && w2 === WIRE_LEN) name = r.string(Math.min(e2 - r.pos, MAX_STRING));
        else if (w2 !== WIRE_LEN) r.skip(w2, e2);
      });
      if (dims.length < 64) dims.push(name || (size >= 0 ? String(size) : '?'));
    } else if (w !== WIRE_LEN) r.skip(w, e);
  });
  return unknown ? '<unknown rank>' : `[${dims.join(',')}]`;
}

function binaryTensor(r: WireStream, end: number): string {
  let dtype = 0;
  let shape = '[]';
  let bytes = 0;
  parseFields(r.at('TensorProto'), end, (f, w, e) => {
    if (f === Tensor.dtype && w === WIRE_VARINT) dtype = r.uint();
    else if (f === Tensor.tensorShape && w === WIRE_LEN) shape = binaryShape(r, e);
    else if (w === WIRE_LEN) bytes += e - r.pos;
    else r.skip(w, e);
  });
  return `${tfDtypeName(dtype)}${shape} (${bytes} bytes)`;
}

function funcName(r: WireStream, end: number): string {
  let name = '';
  parseFields(r.at('NameAttrList'), end, (f, w, e) => {
    if (f === NameAttrList.name && w === WIRE_LEN) name = r.string(Math.min(e - r.pos, MAX_STRING));
    else if (w !== WIRE_LEN) r.skip(w, e);
  });
  return name;
}

/** An AttrValue in text format: its one set field, shown compactly. */
function textAttr(m: TextMessage): { type: string; value: string } {
  const f = m.fields[0];
  if (!f) return { type: '', value: '' };
  if (f.name === 'list' && f.message) {
    const items = f.message.fields.map((x) =>
      textScalar(x.name, x.message, x.kind === 'string' ? JSON.stringify(x.text) : x.text),
    );
    const kind = f.message.fields[0]?.name ?? '';
    return { type: `list(${kind})`, value: list(items.slice(0, MAX_LIST), items.length) };
  }
  return { type: f.name, value: textScalar(f.name, f.message, f.kind === 'string' ? JSON.stringify(f.text) : f.text) };
}

function textScalar(name: string, m: TextMessage | null, text: string): string {
  if (!m) return text;
  if (name === 'shape') {
    if (field(m, 'unknown_rank')?.text === 'true') return '<unknown rank>';
    return `[${fields(m, 'dim')
      .map((d) => (d.message && field(d.message, 'size')?.text) ?? '?')
      .map((s) => (Number(s) < 0 ? '?' : s))
      .join(',')}]`;
  }
  if (name === 'tensor') {
    const shape = field(m, 'tensor_shape')?.message;
    return `${field(m, 'dtype')?.text ?? ''}${shape ? textScalar('shape', shape, '') : '[]'}`;
  }
  if (name === 'func') return field(m, 'name')?.text ?? '';
  return '{…}';
}
