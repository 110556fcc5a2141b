import type { GraphIR } from '../../graph/ir.ts';
import { readNodeRecord, type NodeDetails } from '../decoder.ts';
import type { ByteSource } from '../io/byte-source.ts';

const MAX_SHOWN_PARAMS = 256;
const latin1 = new TextDecoder('latin1');

export async function tnnNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  const record = await readNodeRecord(source, ir, node);
  if (!record) return { attributes: [] };
  const body = latin1.decode(record).trim().replace(/^"|"$/g, '').trim().replace(/\s*,$/, '');
  const tok = body.split(/\s+/);
  const nIn = Number(tok[2]) || 0;
  const nOut = Number(tok[3]) || 0;
  const params = tok.slice(4 + nIn + nOut);
  const attributes = params.slice(0, MAX_SHOWN_PARAMS).map((v, i) => ({
    name: `param[${i}]`,
    type: /^-?\d+$/.test(v) ? 'int' : Number.isFinite(Number(v)) ? 'float' : 'string',
    value: v,
  }));
  return { attributes };
}
