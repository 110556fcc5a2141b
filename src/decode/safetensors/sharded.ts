import type { ByteSource } from '../io/byte-source.ts';
import { storedTensor, type Checkpoint, type StoredTensor } from '../checkpoint/stored-tensor.ts';
import type { DecodeOptions } from '../decoder.ts';
import { DecodeError } from '../errors.ts';
import { readJsonFile } from '../json-file.ts';
import { readSafetensorsHeader } from './header.ts';

const MAX_SHARDS = 100_000;

/**
 * A sharded set through its `model.safetensors.index.json`: every shard's header is read (by range, from the
 * folder) and its tensors are located in that shard. Shards that cannot be reached are named in the metadata;
 * their tensors are still listed from the index's weight map, without dtype or shape.
 */
export async function readShardedSafetensors(source: ByteSource, options: DecodeOptions = {}): Promise<Checkpoint> {
  const file = source.name;
  const json = await readJsonFile(source, 'a safetensors index', 'weight_map');
  const weightMap = json && typeof json === 'object' && !Array.isArray(json) ? json.weight_map : undefined;
  if (!weightMap || typeof weightMap !== 'object' || Array.isArray(weightMap)) {
    throw new DecodeError('safetensors index has no weight_map object', file, 'weight_map');
  }
  const shardOf = new Map<string, string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || !shard || shard.includes('..') || shard.startsWith('/')) {
      throw new DecodeError(`weight_map entry "${name}" names no usable shard file`, file, 'weight_map');
    }
    shardOf.set(name, shard);
  }
  const shards = [...new Set(shardOf.values())];
  if (shards.length > MAX_SHARDS)
    throw new DecodeError(`safetensors index names ${shards.length} shards`, file, 'weight_map');

  const located = new Map<string, StoredTensor>();
  const missing: string[] = [];
  const shardMetadata: Record<string, string> = {};
  for (const [i, shard] of shards.entries()) {
    options.checkCancelled?.();
    // Progress in shards read: the index file's own size says nothing about a set of shards.
    options.onProgress?.(i, shards.length);
    const shardSource = await source.sibling?.(shard).catch(() => null);
    if (!shardSource) {
      missing.push(shard);
      continue;
    }
    try {
      const header = await readSafetensorsHeader(shardSource, shard);
      for (const t of header.tensors) located.set(t.name, t);
      for (const [k, v] of Object.entries(header.metadata)) shardMetadata[k] = v;
    } finally {
      await shardSource.close?.();
    }
  }

  const tensors = [...shardOf.keys()].map(
    (name) => located.get(name) ?? storedTensor({ name, dtype: 0, storedType: 'unknown (shard absent)', shape: null }),
  );
  const metadata: Record<string, string> = {
    format: 'safetensors, sharded (model.safetensors.index.json)',
    ...shardMetadata,
  };
  const meta = json && typeof json === 'object' && !Array.isArray(json) ? json.metadata : undefined;
  if (meta && typeof meta === 'object' && !Array.isArray(meta)) {
    for (const [k, v] of Object.entries(meta)) metadata[`index.${k}`] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  metadata['shards'] = `${shards.length} named, ${shards.length - missing.length} present`;
  if (missing.length) {
    metadata['shards absent'] =
      `${missing.length} of ${shards.length} (${missing.join(', ')}): tensors are listed from the index without dtype, shape or data`;
  }
  return { format: 'safetensors', tensors, metadata, architecture: '' };
}
