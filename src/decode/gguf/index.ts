import { openCheckpoint } from '../checkpoint/open.ts';
import { storedTensor, type Checkpoint } from '../checkpoint/stored-tensor.ts';
import { defineDecoder } from '../decoder.ts';
import { GGML_ENCODING_BASE, GGML_PLAIN_DTYPE } from '../ggml/types.ts';
import { GGUF_MAGIC, readGguf, type GgufFile, type GgufValue } from './reader.ts';

const fmt = (n: number) => n.toLocaleString('en-US');

function displayValue(v: GgufValue): string {
  if (typeof v !== 'object') return String(v);
  const items = v.head.map((x) => (typeof x === 'string' ? JSON.stringify(x) : String(x)));
  return `[${fmt(v.length)} × ${v.itemType}]${items.length ? ` ${items.join(', ')}${v.length > items.length ? ', …' : ''}` : ''}`;
}

/** One line about the vocabulary: model, size, merges, special tokens. */
function tokenizerSummary(meta: GgufFile['metadata']): string {
  const model = meta.get('tokenizer.ggml.model');
  const tokens = meta.get('tokenizer.ggml.tokens');
  const merges = meta.get('tokenizer.ggml.merges');
  if (model === undefined && tokens === undefined) return '';
  const parts = [String(model ?? 'unknown model')];
  if (tokens && typeof tokens === 'object') parts.push(`${fmt(tokens.length)} tokens`);
  if (merges && typeof merges === 'object') parts.push(`${fmt(merges.length)} merges`);
  for (const special of ['bos', 'eos', 'unknown', 'padding']) {
    const id = meta.get(`tokenizer.ggml.${special}_token_id`);
    if (typeof id === 'number') parts.push(`${special} ${id}`);
  }
  return parts.join(', ');
}

function toCheckpoint(gguf: GgufFile): Checkpoint {
  const architecture = String(gguf.metadata.get('general.architecture') ?? '');
  const metadata: Record<string, string> = {
    format: `GGUF v${gguf.version}`,
    'data offset': fmt(gguf.dataOffset),
    alignment: String(gguf.alignment),
  };
  const tokenizer = tokenizerSummary(gguf.metadata);
  if (tokenizer) metadata['tokenizer'] = tokenizer;
  for (const [key, value] of gguf.metadata) metadata[key] = displayValue(value);
  const tensors = gguf.tensors.map((t) => {
    const plain = GGML_PLAIN_DTYPE[t.typeId];
    return storedTensor({
      name: t.name,
      dtype: plain ?? 1,
      storedType: t.type.name,
      // ggml lists ne[0] (the row) first; shown row-major like every other format.
      shape: [...t.ne].reverse(),
      offset: t.offset,
      byteLength: t.byteLength,
      encoding: plain === undefined ? GGML_ENCODING_BASE + t.typeId : 0,
    });
  });
  return { format: 'gguf', tensors, metadata, architecture };
}

/** GGUF (llama.cpp / ggml) v1–v3: metadata, tokenizer summary and tensor infos by range; quantized tensors located. */
export const ggufDecoder = defineDecoder({
  id: 'gguf',
  name: 'GGUF',
  extensions: ['.gguf'],
  sniff: (head) => head.length >= 8 && new DataView(head.buffer, head.byteOffset, 8).getUint32(0, true) === GGUF_MAGIC,
  async open(source, options) {
    const gguf = await readGguf(source, options);
    options.onProgress?.(source.size, source.size);
    return openCheckpoint(source, toCheckpoint(gguf));
  },
});
