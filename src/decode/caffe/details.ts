import { dtypeName, nodeInputIds, valueShape, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { readNodeRecord, type AttributeView, type NodeDetails } from '../decoder.ts';
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from '../protobuf/wire-stream.ts';
import { CaffeWire } from './caffemodel.ts';
import { LAYER_PARAMS, PARAM_FIELDS, type ParamField } from './schema.ts';
import { TextFormatParser, type TextMessage } from '../text/text-format.ts';

const MAX_ATTRIBUTES = 200;
const MAX_TEXT = 1 << 20;
/** Fields shown elsewhere (node name, op, edges) or as the weight list. */
const SKIPPED = new Set(['name', 'type', 'bottom', 'top', 'blobs']);

/** A layer's parameters, re-read from its record: flattened `param.field = value` pairs. */
export async function caffeNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  const offset = ir.nodeSourceOffset[node];
  const attributes: AttributeView[] = [];
  if (!(offset >= 0)) return { attributes };
  // A binary layer record holds its blob payloads: it is walked field by field, not read whole.
  if (ir.metadata.container === 'caffemodel')
    await binaryParams(source, offset, offset + ir.nodeSourceLength[node], attributes);
  else {
    const bytes = (await readNodeRecord(source, ir, node, MAX_TEXT)) ?? new Uint8Array(0);
    const msg = new TextFormatParser(bytes, source.name, offset).parse();
    const layer = msg.fields[0]?.message;
    if (layer) flatten(layer, '', attributes);
  }
  // Weight blobs: their shapes.
  for (const v of nodeInputIds(ir, node)) {
    if (v < 0 || !(ir.valueFlags[v] & ValueFlag.Initializer) || attributes.length >= MAX_ATTRIBUTES) continue;
    const shape = valueShape(ir, v);
    attributes.push({
      name: ir.strings.at(ir.valueName[v]) ?? 'blob',
      type: 'blob',
      value: `${dtypeName(ir.valueDtype[v])}[${(shape ?? []).join(',')}]`,
    });
  }
  return { attributes };
}

function flatten(m: TextMessage, prefix: string, out: AttributeView[]): void {
  // Repeated scalars are joined into one attribute, shown where the field first appears.
  const grouped = new Map<string, { attr: AttributeView; values: string[] }>();
  for (const f of m.fields) {
    if (!prefix && SKIPPED.has(f.name)) continue;
    const key = prefix + f.name;
    if (f.message) {
      flatten(f.message, `${key}.`, out);
      continue;
    }
    const text = f.kind === 'string' ? JSON.stringify(f.text) : f.text;
    const g = grouped.get(key);
    if (g) g.values.push(text);
    else if (out.length < MAX_ATTRIBUTES) {
      const attr = {
        name: key,
        type: f.kind === 'string' ? 'string' : f.kind === 'ident' ? 'enum' : 'number',
        value: text,
      };
      out.push(attr);
      grouped.set(key, { attr, values: [text] });
    }
  }
  for (const g of grouped.values()) if (g.values.length > 1) g.attr.value = `[${g.values.join(', ')}]`;
}

/** Decodes the `*_param` messages of a binary layer (field names for common ones, numbers for the rest). */
async function binaryParams(source: ByteSource, start: number, end: number, out: AttributeView[]): Promise<void> {
  const w = new CaffeWire(source, source.name);
  w.what = 'LayerParameter';
  w.pos = start;
  while (w.pos < end && out.length < MAX_ATTRIBUTES) {
    await w.need(20, end);
    const [f, wire] = w.tag(end);
    const param = LAYER_PARAMS[f];
    if (!param || wire !== WIRE_LEN) {
      await w.skip(wire, end);
      continue;
    }
    await w.need(10, end);
    const n = w.len(end);
    if (n > MAX_TEXT) {
      w.pos += n;
      continue;
    }
    await w.need(n, end);
    const stop = w.pos + n;
    const known = PARAM_FIELDS[param] ?? {};
    const values = new Map<string, { type: string; values: string[] }>();
    const push = (name: string, type: string, value: string) => {
      const g = values.get(name) ?? { type, values: [] };
      g.values.push(value);
      values.set(name, g);
    };
    while (w.pos < stop) {
      const [pf, pw] = w.tag(stop);
      const spec: ParamField | undefined = known[pf];
      const name = `${param}.${spec?.name ?? `field_${pf}`}`;
      if (pw === WIRE_VARINT) push(name, spec?.kind ?? 'varint', scalar(spec, w.int64(stop)));
      else if (pw === WIRE_FIXED32) push(name, 'float', fmt(w.float(stop)));
      else if (pw === WIRE_FIXED64) push(name, 'double', fmt(w.double(stop)));
      else if (pw === WIRE_LEN) {
        const len = w.len(stop);
        const sub = w.pos + len;
        if (spec && spec.kind !== 'string') {
          // Packed repeated numbers.
          while (w.pos < sub)
            push(name, spec.kind, spec.kind === 'float' ? fmt(w.float(sub)) : scalar(spec, w.int64(sub)));
        } else if (spec?.kind === 'string') {
          push(name, 'string', JSON.stringify(w.string(len)));
        } else {
          push(name, 'message', `${len} bytes`);
          w.pos = sub;
        }
      } else await w.skip(pw, stop);
    }
    for (const [name, g] of values)
      out.push({ name, type: g.type, value: g.values.length === 1 ? g.values[0] : `[${g.values.join(', ')}]` });
  }
}

function scalar(spec: ParamField | undefined, v: number): string {
  if (spec?.kind === 'bool') return String(v !== 0);
  if (spec?.kind === 'enum') return spec.values?.[v] ?? String(v);
  if (spec?.kind === 'float') return String(v);
  return String(v);
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(7)));
}
