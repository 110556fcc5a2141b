import type { ByteSource } from '../io/byte-source.ts';
import { openCheckpoint } from '../checkpoint/open.ts';
import { storedTensor, type Checkpoint } from '../checkpoint/stored-tensor.ts';
import type { DecodeOptions, OpenModel } from '../decoder.ts';
import { GGML_ENCODING_BASE, GGML_PLAIN_DTYPE } from '../ggml/types.ts';
import { displayValue, tokenizerSummary } from './details.ts';
import { readGguf, type GgufFile } from './reader.ts';

const fmt = (n: number) => n.toLocaleString('en-US');

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

/** A GGUF file: its metadata as model properties, its tensors located (quantized ones by ggml block type). */
export async function openGguf(source: ByteSource, options: DecodeOptions): Promise<OpenModel> {
  const gguf = await readGguf(source, options);
  options.onProgress?.(source.size, source.size);
  return openCheckpoint(source, toCheckpoint(gguf));
}
