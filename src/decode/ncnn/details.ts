import type { GraphIR } from '../../graph/ir.ts';
import { readNodeRecord, type NodeDetails } from '../decoder.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { ncnnParamName } from './param-names.ts';

const latin1 = new TextDecoder('latin1');

export async function ncnnNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  const record = await readNodeRecord(source, ir, node);
  if (!record) return { attributes: [] };
  const tok = latin1.decode(record).trim().split(/\s+/);
  const nIn = Number(tok[2]) || 0;
  const nOut = Number(tok[3]) || 0;
  const layerType = ir.strings.at(ir.nodeOp[node]) ?? tok[0];
  const attributes = tok.slice(4 + nIn + nOut).map((kv) => {
    const eq = kv.indexOf('=');
    const key = kv.slice(0, eq);
    const value = kv.slice(eq + 1);
    // Keys -23300-n are arrays for key n: `n,a,b,…` (the count first).
    const array = Number(key) <= -23300;
    const id = array ? -Number(key) - 23300 : Number(key);
    return {
      name: Number.isInteger(id) ? ncnnParamName(layerType, id) : key,
      type: array ? 'array' : value.includes('.') || value.includes('e') ? 'float' : 'int',
      value: array ? `[${value.split(',').slice(1).join(', ')}]` : value,
    };
  });
  return { attributes };
}
