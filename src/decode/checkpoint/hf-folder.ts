import type { ByteSource } from '../io/byte-source.ts';

/**
 * Weight files a Hugging Face folder may hold, in the order transformers prefers them. Sharded
 * `pytorch_model.bin.index.json` sets are not read: their shards are whole torch.save files.
 */
const HF_WEIGHT_FILES = ['model.safetensors.index.json', 'model.safetensors', 'pytorch_model.bin'] as const;

/** config.json of a transformers model: names the architecture. */
export function looksLikeHfConfig(head: Uint8Array, fileName: string): boolean {
  if (!/(^|[\\/])config\.json$/i.test(fileName)) return false;
  const text = new TextDecoder('utf-8').decode(head);
  return /"(model_type|architectures)"\s*:/.test(text);
}

/** The folder's weights beside config.json (first of HF_WEIGHT_FILES that the source can reach), or null. */
export async function findHfWeights(config: ByteSource): Promise<ByteSource | null> {
  for (const name of HF_WEIGHT_FILES) {
    const weights = await config.sibling?.(name).catch(() => null);
    if (weights) return weights;
  }
  return null;
}

export const HF_WEIGHTS_ABSENT = `not opened with the folder's weights (${HF_WEIGHT_FILES.join(', ')}): only the config is shown`;
