import { openModel, type DecodeOptions, type OpenModel } from '../decoder.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { pytorchNodeDetails } from './details.ts';
import { decodeTorchScript } from './torchscript.ts';

/**
 * A TorchScript archive. What each node came from (its statement) is kept in the open model: the code is
 * compressed inside the archive, so it is not re-read per node.
 */
export async function openPytorch(source: ByteSource, options: DecodeOptions = {}): Promise<OpenModel> {
  const { ir, info } = await decodeTorchScript(source, options);
  return openModel(ir, source, async (node) => pytorchNodeDetails(info[node]));
}
