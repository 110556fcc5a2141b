import type { ByteSource } from '../io/byte-source.ts';
import { openCheckpoint, withHfConfig } from '../checkpoint/open.ts';
import type { Checkpoint } from '../checkpoint/stored-tensor.ts';
import type { DecodeOptions, OpenModel } from '../decoder.ts';
import { readSafetensorsHeader } from './header.ts';
import { readShardedSafetensors } from './sharded.ts';
import { SAFETENSORS_INDEX_NAME } from './sniff.ts';

async function readSingle(source: ByteSource): Promise<Checkpoint> {
  const header = await readSafetensorsHeader(source);
  const metadata: Record<string, string> = { format: 'safetensors' };
  for (const [k, v] of Object.entries(header.metadata)) metadata[`metadata.${k}`] = v;
  metadata['header bytes'] = header.headerBytes.toLocaleString('en-US');
  return { format: 'safetensors', tensors: header.tensors, metadata, architecture: '' };
}

/** A safetensors file, or a sharded set through its index; config.json and friends alongside when reachable. */
export async function openSafetensors(source: ByteSource, options: DecodeOptions): Promise<OpenModel> {
  const checkpoint = SAFETENSORS_INDEX_NAME.test(source.name)
    ? await readShardedSafetensors(source, options)
    : await readSingle(source);
  options.checkCancelled?.();
  const withConfig = await withHfConfig(source, checkpoint);
  options.onProgress?.(source.size, source.size);
  return openCheckpoint(source, withConfig);
}
