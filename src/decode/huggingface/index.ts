import { looksLikeHfConfig } from '../checkpoint/hf-folder.ts';
import { defineDecoder, openOnDemand } from '../decoder.ts';

/**
 * A Hugging Face model folder opened through its config.json: the folder's weights decoded by their own decoder,
 * with config, generation and tokenizer configs as model properties.
 */
export const huggingfaceDecoder = defineDecoder({
  id: 'huggingface',
  name: 'Hugging Face model folder (config.json)',
  extensions: ['config.json'],
  sniff: looksLikeHfConfig,
  open: openOnDemand(async () => (await import('./decoder.ts')).openHuggingface),
});
