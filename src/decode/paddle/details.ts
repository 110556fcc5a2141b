import type { GraphIR } from '../../graph/ir.ts';
import { readNodeRecord, type AttributeView, type NodeDetails } from '../decoder.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { readOpAttrs } from './program.ts';
import { ATTR_TYPE_NAMES } from './schema.ts';

const MAX_ATTRIBUTES = 256;
const MAX_LIST = 16;
/** An op record is read whole; the program itself is capped at 256 MiB. */
const MAX_OP_BYTES = 256 << 20;

/** An op's attributes, decoded from its OpDesc record. */
export async function paddleNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  const record = await readNodeRecord(source, ir, node, MAX_OP_BYTES);
  if (!record?.length) return { attributes: [] };
  const attrs = await readOpAttrs(record, source.name);
  const attributes: AttributeView[] = attrs.slice(0, MAX_ATTRIBUTES).map((a) => {
    const shown =
      a.values.slice(0, MAX_LIST).map(show).join(', ') + (a.values.length > MAX_LIST ? `, … (${a.values.length})` : '');
    return { name: a.name, type: ATTR_TYPE_NAMES[a.type] ?? `type(${a.type})`, value: a.list ? `[${shown}]` : shown };
  });
  return { attributes };
}

function show(v: number | string | boolean): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 200 ? `${v.slice(0, 200)}…` : v);
  return String(v);
}
