import type { GraphIR } from '../../graph/ir.ts';
import { readNodeRecord, type AttributeView, type NodeDetails } from '../decoder.ts';
import { DecodeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { XmlEvent, XmlTokenizer } from './xml.ts';

/** A layer record longer than this is not read for details. */
const MAX_LAYER_TEXT = 16 << 20;
const latin1 = new TextDecoder('latin1');

/** A layer's version, id and `<data>` attributes, re-read from its `<layer>` element. */
export async function openvinoNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  const attributes: AttributeView[] = [];
  const record = await readNodeRecord(source, ir, node, MAX_LAYER_TEXT);
  if (!record?.length) return { attributes };
  const text = latin1.decode(record);
  const t = new XmlTokenizer(text, (m) => {
    throw new DecodeError(m, source.name);
  });
  let depth = 0;
  for (let ev = t.next(); ev !== XmlEvent.End; ev = t.next()) {
    if (ev === XmlEvent.Open) {
      if (depth === 0 && t.name === 'layer') {
        if (t.attrs.version) attributes.push({ name: 'version', type: 'string', value: t.attrs.version });
        if (t.attrs.id) attributes.push({ name: 'id', type: 'string', value: t.attrs.id });
      } else if (depth === 1 && t.name === 'data') {
        for (const [k, v] of Object.entries(t.attrs)) attributes.push({ name: k, type: 'string', value: v });
      }
      if (!t.selfClosing) depth++;
    } else if (ev === XmlEvent.Close) depth--;
  }
  return { attributes };
}
