import type { ByteSource } from '../io/byte-source.ts';
import { HF_WEIGHTS_ABSENT, findHfWeights } from '../checkpoint/hf-folder.ts';
import { openCheckpoint, withHfConfig } from '../checkpoint/open.ts';
import type { DecodeOptions, ModelDecoder, OpenModel } from '../decoder.ts';
import { readJsonFile } from '../json-file.ts';
import { pytorchStateDecoder } from '../pytorch-state/index.ts';
import { safetensorsDecoder } from '../safetensors/index.ts';

/**
 * The weights file, reaching the rest of the folder through the config's source (a sibling of a sibling is not
 * reachable otherwise: sharded sets and config files are found beside config.json). Closing it closes the weights
 * file only: the config source belongs to whoever opened it.
 */
function inFolderOf(weights: ByteSource, config: ByteSource): ByteSource {
  return {
    name: weights.name,
    size: weights.size,
    read: (offset, length) => weights.read(offset, length),
    sibling: config.sibling ? (name) => config.sibling!(name) : undefined,
    close: weights.close ? () => weights.close!() : undefined,
  };
}

const WEIGHT_DECODERS: readonly ModelDecoder[] = [safetensorsDecoder, pytorchStateDecoder];

/**
 * Opens the folder's weights (safetensors, sharded safetensors or pytorch_model.bin) with their own decoder. The
 * open model's source is the weights file, so its tensors are read from it directly (shards stay external); the
 * model owns that file and closing its source closes it.
 */
export async function openHuggingface(config: ByteSource, options: DecodeOptions): Promise<OpenModel> {
  const found = await findHfWeights(config);
  if (!found) return openConfigOnly(config);
  try {
    const weights = inFolderOf(found, config);
    const head = await weights.read(0, 4096);
    const decoder = WEIGHT_DECODERS.find((d) => d.sniff(head, weights.name)) ?? pytorchStateDecoder;
    const model = await decoder.open(weights, options);
    model.ir.metadata['weights file'] = weights.name;
    return model;
  } catch (err) {
    await found.close?.();
    throw err;
  }
}

/** config.json alone: its fields as properties of an empty model, saying the weights were not opened. */
async function openConfigOnly(config: ByteSource): Promise<OpenModel> {
  const json = await readJsonFile(config, 'a Hugging Face config', 'config.json');
  const metadata: Record<string, string> = { weights: HF_WEIGHTS_ABSENT };
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    for (const [k, v] of Object.entries(json))
      metadata[`config.${k}`] = (typeof v === 'string' ? v : JSON.stringify(v)).slice(0, 200);
  }
  const checkpoint = await withHfConfig(config, { format: 'huggingface', tensors: [], metadata, architecture: '' });
  return openCheckpoint(config, checkpoint);
}
