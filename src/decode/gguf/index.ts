import { defineDecoder } from '../decoder.ts';
import { openGguf } from './decoder.ts';
import { GGUF_MAGIC } from './reader.ts';

/** GGUF (llama.cpp / ggml) v1–v3: metadata, tokenizer summary and tensor infos by range; quantized tensors located. */
export const ggufDecoder = defineDecoder({
  id: 'gguf',
  name: 'GGUF',
  extensions: ['.gguf'],
  sniff: (head) => head.length >= 8 && new DataView(head.buffer, head.byteOffset, 8).getUint32(0, true) === GGUF_MAGIC,
  open: openGguf,
});
