import type { ByteSource } from '../io/byte-source.ts';
import { HF_WEIGHTS_ABSENT, findHfWeights, looksLikeHfConfig } from '../checkpoint/hf-folder.ts';
import { openCheckpoint, withHfConfig } from '../checkpoint/open.ts';
import { readJsonFile } from '../json-file.ts';
import { ValueFlag } from '../../graph/ir.ts';
import { defineDecoder, openModel, type ModelDecoder } from '../decoder.ts';
import { pytorchStateDecoder } from '../pytorch-state/index.ts';
import { safetensorsDecoder } from '../safetensors/index.ts';

/**
 * The weights file, reaching the rest of the folder through the config's source (a sibling of a sibling is not
 * reachable otherwise: sharded sets and config files are found beside config.json).
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
 * A Hugging Face model folder opened through its config.json: the folder's weights (safetensors, sharded
 * safetensors or pytorch_model.bin) decoded by their own decoder, with config, generation and tokenizer configs
 * as model properties. Tensors are located in the weights file by name, so previews read it beside the config.
 */
export const huggingfaceDecoder = defineDecoder({
  id: 'huggingface',
  name: 'Hugging Face model folder (config.json)',
  extensions: ['config.json'],
  sniff: looksLikeHfConfig,
  async open(config, options) {
    const found = await findHfWeights(config);
    if (!found) return openConfigOnly(config);
    const weights = inFolderOf(found, config);
    const head = await weights.read(0, 4096);
    const decoder = WEIGHT_DECODERS.find((d) => d.sniff(head, weights.name)) ?? pytorchStateDecoder;
    const model = await decoder.open(weights, options);
    const { ir } = model;
    for (let v = 0; v < ir.valueCount; v++) {
      if (ir.valueDataOffset[v] >= 0 && ir.valueLocation[v] < 0) {
        ir.valueLocation[v] = ir.strings.length;
        ir.valueFlags[v] |= ValueFlag.External;
      }
    }
    ir.strings.push(weights.name);
    ir.metadata['weights file'] = weights.name;
    return openModel(ir, weights, (node) => model.nodeDetails(node));
  },
});

/** config.json alone: its fields as properties of an empty model, saying the weights were not opened. */
async function openConfigOnly(config: ByteSource) {
  const json = await readJsonFile(config, 'a Hugging Face config', 'config.json');
  const metadata: Record<string, string> = { weights: HF_WEIGHTS_ABSENT };
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    for (const [k, v] of Object.entries(json)) metadata[`config.${k}`] = (typeof v === 'string' ? v : JSON.stringify(v)).slice(0, 200);
  }
  const checkpoint = await withHfConfig(config, { format: 'huggingface', tensors: [], metadata, architecture: '' });
  return openCheckpoint(config, checkpoint);
}
