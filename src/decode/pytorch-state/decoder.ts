import type { ByteSource } from '../io/byte-source.ts';
import { openCheckpoint, withHfConfig } from '../checkpoint/open.ts';
import type { DecodeOptions, OpenModel } from '../decoder.ts';
import { readLegacyCheckpoint, readZipCheckpoint } from './read.ts';
import { looksLikeLegacyTorch } from './sniff.ts';

/** A torch.save checkpoint, zip or legacy, with a Hugging Face folder's configs alongside when reachable. */
export async function openTorchCheckpoint(source: ByteSource, options: DecodeOptions): Promise<OpenModel> {
  const head = await source.read(0, 16);
  const checkpoint = looksLikeLegacyTorch(head)
    ? await readLegacyCheckpoint(source, options)
    : await readZipCheckpoint(source, options);
  options.checkCancelled?.();
  const withConfig = await withHfConfig(source, checkpoint);
  options.onProgress?.(source.size, source.size);
  return openCheckpoint(source, withConfig);
}
