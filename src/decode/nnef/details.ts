import type { GraphIR } from '../../graph/ir.ts';
import { readNodeRecord, type AttributeView, type NodeDetails } from '../decoder.ts';
import { DecodeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { NnefParser, tokenize } from './parser.ts';

const latin1 = new TextDecoder('latin1');

/** One invocation's keyword arguments, re-parsed from its statement. */
export async function nnefNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  const attributes: AttributeView[] = [];
  const record = await readNodeRecord(source, ir, node);
  if (!record) return { attributes };
  const text = latin1.decode(record);
  const fail = (m: string): never => {
    throw new DecodeError(m, source.name);
  };
  // Re-parse the one statement inside a dummy graph.
  const wrapped = `graph g() -> () { ${text} }`;
  const inv = new NnefParser(tokenize(wrapped, fail), wrapped, source.name).parse().body[0];
  if (!inv) return { attributes };
  for (const a of inv.args)
    if (a.key)
      attributes.push({ name: a.key, type: a.str !== null ? 'string' : a.numbers ? 'list' : 'value', value: a.text });
  return { attributes };
}
