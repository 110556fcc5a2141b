import type { GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { DecodeOptions, ModelDecoder, NodeDetails } from '../decoder.ts';
import { firstEntryName, looksLikeZip } from '../zip/zip.ts';
import { decodeTorchScript, type TorchNodeInfo } from './torchscript.ts';

/** Entry names torch.jit.save / torch.save write under the archive's top folder. */
const TORCH_ENTRY = /^[^/]+\/(data\.pkl|data\/\d+|code\/|constants\.pkl|version|\.data\/|byteorder|extra\/)/;

/** What each decoded node came from (its statement), per source: kept here because the code is compressed in the archive. */
const infoBySource = new WeakMap<ByteSource, { nodeCount: number; info: TorchNodeInfo[] }>();

async function decodePytorch(source: ByteSource, options?: DecodeOptions): Promise<GraphIR> {
  const { ir, info } = await decodeTorchScript(source, options);
  infoBySource.set(source, { nodeCount: ir.nodeCount, info });
  return ir;
}

async function pytorchNodeDetails(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails> {
  let cached = infoBySource.get(source);
  if (!cached || cached.nodeCount !== ir.nodeCount) {
    // Decoding is deterministic, so a fresh decode numbers the nodes the same way.
    await decodePytorch(source);
    cached = infoBySource.get(source);
  }
  const i = cached?.info[node];
  if (!i) return { attributes: [] };
  const attributes = [{ name: 'code', type: 'TorchScript', value: i.code }];
  if (i.module) attributes.push({ name: 'module', type: 'path', value: i.module });
  if (i.cls) attributes.push({ name: 'class', type: 'string', value: i.cls });
  return { attributes };
}

export const pytorchDecoder: ModelDecoder = {
  id: 'pytorch',
  name: 'PyTorch TorchScript',
  extensions: ['.pt', '.pth', '.torchscript'],
  sniff(head, fileName) {
    if (!looksLikeZip(head)) return false;
    const first = firstEntryName(head);
    if (first) return TORCH_ENTRY.test(first);
    return /\.(pt|pth|ptl|torchscript)$/i.test(fileName);
  },
  decode: decodePytorch,
  nodeDetails: pytorchNodeDetails,
};
