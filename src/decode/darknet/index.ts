import type { GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../byte-source.ts';
import type { ModelDecoder, NodeDetails } from '../registry-types.ts';
import { looksLikeCfg, parseCfg } from './cfg.ts';
import { decodeDarknet } from './decoder.ts';

/** A layer's options, re-read from its section of the .cfg. */
async function darknetNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  const offset = ir.nodeSourceOffset[node];
  const length = Math.min(ir.nodeSourceLength[node], 1 << 20);
  if (!(offset >= 0)) return { attributes: [] };
  const bytes = await source.read(offset, length);
  const [section] = parseCfg(bytes, source.name);
  if (!section) return { attributes: [] };
  const attributes = [...section.options].map(([name, value]) => ({ name, type: /^[-+]?[\d.]+(e[-+]?\d+)?$/i.test(value) ? 'number' : 'string', value }));
  return { attributes };
}

export const darknetDecoder: ModelDecoder = {
  id: 'darknet',
  name: 'Darknet',
  extensions: ['.cfg'],
  sniff(head) {
    return looksLikeCfg(head);
  },
  decode: decodeDarknet,
  nodeDetails: darknetNodeDetails,
};
