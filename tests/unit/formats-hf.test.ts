import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BlobSource } from '../../src/decode/io/byte-source.ts';
import { huggingfaceDecoder } from '../../src/decode/huggingface/index.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { detectFormat } from '../../src/decode/registry.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { summarize } from '../../src/graph/summary.ts';
import { inputFromFiles } from '../../src/ui/files.ts';
import { checkpointsReference, edges, modelPath, valueNamed } from '../helpers/checkpoints.ts';

const folders = ['hf/fake_gpt2/', 'hf/tiny_gpt2/'];

describe('Hugging Face folders (config.json + weights + tokenizer/generation configs)', () => {
  it.each(folders)('%s opens through config.json with the config as properties', async (folder) => {
    const ref = checkpointsReference[folder];
    const weights = checkpointsReference[`${folder}model.safetensors`];
    const source = await NodeFileSource.open(modelPath(`${folder}config.json`));
    try {
      expect((await detectFormat(source)).id).toBe('huggingface');
      const m = await huggingfaceDecoder.open(source);
      const s = summarize(m.ir);
      expect(s.initializers).toBe(weights.tensor_count);
      expect(s.parameters).toBe(weights.total_elements);
      expect(m.ir.metadata['config.model_type']).toBe(ref.model_type);
      expect(m.ir.metadata['config.vocab_size']).toBe(String(ref.vocab_size));
      expect(m.ir.metadata['tokenizer.tokenizer_class']).toBe(ref.tokenizer_class);
      if (ref.generation_config) expect(m.ir.metadata['generation.bos_token_id']).toBe('50256');
      const e = edges(m.ir);
      const root = folder.includes('fake') ? 'transformer.' : '';
      expect(e).toContain(`${root}h.0.ln_1 -> ${root}h.0.attn.c_attn`);
      // The preview reads the weights file beside config.json.
      const v = valueNamed(m.ir, `${root}h.0.attn.c_attn.weight`);
      const p = await tensorPreview(source, m.ir, v);
      const raw = readFileSync(modelPath(`${folder}model.safetensors`));
      const off = m.ir.valueDataOffset[v];
      expect(Number(p.values[0])).toBeCloseTo(new DataView(raw.buffer, raw.byteOffset + off).getFloat32(0, true), 5);
    } finally {
      await source.close();
    }
  });

  it('dropping the whole folder opens its weights with the configs alongside', () => {
    const files = readdirSync(modelPath('hf/fake_gpt2')).map((f) => new File([readFileSync(modelPath(`hf/fake_gpt2/${f}`))], f));
    const input = inputFromFiles(files);
    expect(input?.kind === 'blob' && input.name).toBe('model.safetensors');
    const bin = [new File([new Uint8Array(10)], 'config.json'), new File([new Uint8Array(900)], 'pytorch_model.bin'), new File([new Uint8Array(500)], 'tokenizer.json')];
    expect(inputFromFiles(bin)?.kind === 'blob' && (inputFromFiles(bin) as { name: string }).name).toBe('config.json');
  });

  it('a dropped folder (Blob siblings) reads config.json beside model.safetensors', async () => {
    const dir = 'hf/fake_gpt2';
    const siblings = new Map(readdirSync(modelPath(dir)).map((f) => [f, new Blob([readFileSync(modelPath(`${dir}/${f}`))])]));
    const source = new BlobSource(siblings.get('model.safetensors')!, 'model.safetensors', siblings);
    const decoder = await detectFormat(source);
    const { ir } = await decoder.open(source);
    expect(ir.metadata['config.model_type']).toBe('gpt2');
    expect(ir.metadata['generation.transformers_version']).toBe('4.36.2');
  });
});
