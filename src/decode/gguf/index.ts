import { defineDecoder, openOnDemand } from '../decoder.ts';
import { looksLikeGguf } from './sniff.ts';

/** GGUF (llama.cpp / ggml) v1–v3: metadata, tokenizer summary and tensor infos by range; quantized tensors located. */
export const ggufDecoder = defineDecoder({
  id: 'gguf',
  name: 'GGUF',
  extensions: ['.gguf'],
  sniff: looksLikeGguf,
  open: openOnDemand(async () => (await import('./decoder.ts')).openGguf),
});
