import { defineDecoder, openOnDemand } from '../decoder.ts';
import { SAFETENSORS_INDEX_NAME, looksLikeSafetensors } from './sniff.ts';

/** safetensors files and sharded sets (opened through `model.safetensors.index.json`), config.json alongside. */
export const safetensorsDecoder = defineDecoder({
  id: 'safetensors',
  name: 'safetensors',
  extensions: ['.safetensors', '.safetensors.index.json'],
  sniff: (head, fileName) => SAFETENSORS_INDEX_NAME.test(fileName) || looksLikeSafetensors(head),
  open: openOnDemand(async () => (await import('./decoder.ts')).openSafetensors),
});
