import type { GgufFile, GgufValue } from './reader.ts';

/** How GGUF metadata shows in the model properties: values, arrays by their first items, the tokenizer in one line. */
const fmt = (n: number) => n.toLocaleString('en-US');

/** A metadata value: scalars as they are, arrays as `[length × type]` and their first items. */
export function displayValue(v: GgufValue): string {
  if (typeof v !== 'object') return String(v);
  const items = v.head.map((x) => (typeof x === 'string' ? JSON.stringify(x) : String(x)));
  return `[${fmt(v.length)} × ${v.itemType}]${items.length ? ` ${items.join(', ')}${v.length > items.length ? ', …' : ''}` : ''}`;
}

/** One line about the vocabulary: model, size, merges, special tokens. */
export function tokenizerSummary(meta: GgufFile['metadata']): string {
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
