import type { ByteSource } from '../io/byte-source.ts';
import { openCheckpoint, withHfConfig } from '../checkpoint/open.ts';
import type { Checkpoint } from '../checkpoint/stored-tensor.ts';
import { defineDecoder } from '../decoder.ts';
import { looksLikeSafetensors, readSafetensorsHeader } from './header.ts';
import { readShardedSafetensors } from './sharded.ts';

const INDEX_NAME = /\.safetensors\.index\.json$/i;

async function readSingle(source: ByteSource): Promise<Checkpoint> {
  const header = await readSafetensorsHeader(source);
  const metadata: Record<string, string> = { format: 'safetensors' };
  for (const [k, v] of Object.entries(header.metadata)) metadata[`metadata.${k}`] = v;
  metadata['header bytes'] = header.headerBytes.toLocaleString('en-US');
  return { format: 'safetensors', tensors: header.tensors, metadata, architecture: '' };
}

/** safetensors files and sharded sets (opened through `model.safetensors.index.json`), config.json alongside. */
export const safetensorsDecoder = defineDecoder({
  id: 'safetensors',
  name: 'safetensors',
  extensions: ['.safetensors', '.safetensors.index.json'],
  sniff: (head, fileName) => INDEX_NAME.test(fileName) || looksLikeSafetensors(head),
  async open(source, options) {
    const checkpoint = INDEX_NAME.test(source.name) ? await readShardedSafetensors(source) : await readSingle(source);
    options.checkCancelled?.();
    const withConfig = await withHfConfig(source, checkpoint);
    options.onProgress?.(source.size, source.size);
    return openCheckpoint(source, withConfig);
  },
});
