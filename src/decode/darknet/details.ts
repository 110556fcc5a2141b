import type { GraphIR } from '../../graph/ir.ts';
import { readNodeRecord, type NodeDetails } from '../decoder.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { parseCfg } from './cfg.ts';

/** A layer's options, re-read from its section of the .cfg. */
export async function darknetNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  const bytes = await readNodeRecord(source, ir, node);
  if (!bytes) return { attributes: [] };
  const [section] = parseCfg(bytes, source.name);
  if (!section) return { attributes: [] };
  const attributes = [...section.options].map(([name, value]) => ({
    name,
    type: /^[-+]?[\d.]+(e[-+]?\d+)?$/i.test(value) ? 'number' : 'string',
    value,
  }));
  return { attributes };
}
