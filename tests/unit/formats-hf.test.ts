import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BlobSource, type ByteSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { huggingfaceDecoder } from '../../src/decode/huggingface/index.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { detectFormat } from '../../src/decode/registry.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { ValueFlag, str } from '../../src/graph/ir.ts';
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
      const p = await tensorPreview(m.source, m.ir, v);
      const raw = readFileSync(modelPath(`${folder}model.safetensors`));
      const off = m.ir.valueDataOffset[v];
      expect(Number(p.values[0])).toBeCloseTo(new DataView(raw.buffer, raw.byteOffset + off).getFloat32(0, true), 5);
      await m.source.close?.();
    } finally {
      await source.close();
    }
  });

  it('dropping the whole folder opens its weights with the configs alongside', () => {
    const files = readdirSync(modelPath('hf/fake_gpt2')).map(
      (f) => new File([readFileSync(modelPath(`hf/fake_gpt2/${f}`))], f),
    );
    const input = inputFromFiles(files);
    expect(input?.kind === 'blob' && input.name).toBe('model.safetensors');
    const bin = [
      new File([new Uint8Array(10)], 'config.json'),
      new File([new Uint8Array(900)], 'pytorch_model.bin'),
      new File([new Uint8Array(500)], 'tokenizer.json'),
    ];
    expect(inputFromFiles(bin)?.kind === 'blob' && (inputFromFiles(bin) as { name: string }).name).toBe('config.json');
  });

  it('a dropped folder (Blob siblings) reads config.json beside model.safetensors', async () => {
    const dir = 'hf/fake_gpt2';
    const siblings = new Map(
      readdirSync(modelPath(dir)).map((f) => [f, new Blob([readFileSync(modelPath(`${dir}/${f}`))])]),
    );
    const source = new BlobSource(siblings.get('model.safetensors')!, 'model.safetensors', siblings);
    const decoder = await detectFormat(source);
    const { ir } = await decoder.open(source);
    expect(ir.metadata['config.model_type']).toBe('gpt2');
    expect(ir.metadata['generation.transformers_version']).toBe('4.36.2');
  });

  it('values stay in the opened weights file: previews open nothing more, and every file opened is closed', async () => {
    let opened = 0;
    /** Counts siblings opened and not yet closed (siblings of siblings too). */
    const counting = (s: ByteSource, owned: boolean): ByteSource => ({
      name: s.name,
      size: s.size,
      read: (offset, length) => s.read(offset, length),
      sibling: async (name) => {
        const x = await s.sibling?.(name);
        if (!x) return null;
        opened++;
        return counting(x, true);
      },
      close: async () => {
        if (owned) opened--;
        await s.close?.();
      },
    });
    const config = await NodeFileSource.open(modelPath('hf/fake_gpt2/config.json'));
    try {
      const m = await huggingfaceDecoder.open(counting(config, false));
      for (let v = 0; v < m.ir.valueCount; v++)
        expect(m.ir.valueFlags[v] & ValueFlag.External, str(m.ir, m.ir.valueName[v])).toBe(0);
      for (const name of [
        'transformer.h.0.attn.c_attn.weight',
        'transformer.wte.weight',
        'transformer.h.0.mlp.c_fc.bias',
      ]) {
        const p = await tensorPreview(m.source, m.ir, valueNamed(m.ir, name));
        expect(p.values.length, name).toBeGreaterThan(0);
      }
      await m.source.close?.();
      expect(opened).toBe(0);
    } finally {
      await config.close();
    }

    // Weights that fail to decode are closed too.
    const dir = 'hf/fake_gpt2';
    const siblings = new Map(
      readdirSync(modelPath(dir)).map((f) => [f, new Blob([readFileSync(modelPath(`${dir}/${f}`))])]),
    );
    siblings.set('model.safetensors', new Blob([new Uint8Array([200, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x22])]));
    const err = await huggingfaceDecoder
      .open(counting(new BlobSource(siblings.get('config.json')!, 'config.json', siblings), false))
      .catch((e) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect(opened).toBe(0);
  });
});
