import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { CancelledError, DecodeError } from '../../src/decode/errors.ts';
import { detectFormat } from '../../src/decode/registry.ts';
import { safetensorsDecoder } from '../../src/decode/safetensors/index.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { checkpointsReference, edges, modelPath, valueNamed, withModel } from '../helpers/checkpoints.ts';

const files = Object.entries(checkpointsReference).filter(
  ([path, r]) => r.format === 'safetensors' && path.endsWith('.safetensors'),
);

/** A safetensors file from its parts (the spec: 8-byte length, JSON header, data). */
function safetensors(header: unknown, data = new Uint8Array(0), lengthOverride?: number): BufferSource {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(lengthOverride ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return new BufferSource(out, 'x.safetensors');
}

describe('safetensors (real files, checkpoints-reference.json)', () => {
  it.each(files)('%s: reference tensor count, elements and dtypes', async (path, ref) => {
    await withModel(safetensorsDecoder, path, (m) => {
      const s = summarize(m.ir);
      expect(s.initializers).toBe(ref.tensor_count);
      expect(s.parameters).toBe(ref.total_elements);
      expect(validateIR(m.ir)).toEqual([]);
      // Named as `strata inspect` names them: the IR's dtype names.
      const irName: Record<string, string> = {
        F16: 'float16',
        F32: 'float32',
        F64: 'float64',
        I8: 'int8',
        I16: 'int16',
        I32: 'int32',
        I64: 'int64',
        U8: 'uint8',
        U16: 'uint16',
        U32: 'uint32',
      };
      const types = Object.entries(ref.dtypes as Record<string, number>).map(([k, n]) => `${irName[k]} ×${n}`);
      for (const t of types) expect(m.ir.metadata['tensor types']).toContain(t);
    });
  });

  it('is detected by content and by the index name', async () => {
    const source = await NodeFileSource.open(modelPath('safetensors/whisper-mel_filters.safetensors'));
    expect((await detectFormat(source)).id).toBe('safetensors');
    await source.close();
  });

  it('previews match the stored bytes (f16, f32, i64)', async () => {
    await withModel(safetensorsDecoder, 'safetensors/dtype-samples/overall.safetensors', async (m) => {
      const bytes = readFileSync(modelPath('safetensors/dtype-samples/overall.safetensors'));
      for (const name of ['e', 'f', 'i', 'b']) {
        const v = valueNamed(m.ir, name);
        const p = await tensorPreview(m.source, m.ir, v);
        const off = m.ir.valueDataOffset[v];
        const dv = new DataView(bytes.buffer, bytes.byteOffset + off, m.ir.valueDataLength[v]);
        const expected =
          name === 'f'
            ? dv.getFloat32(0, true)
            : name === 'i'
              ? dv.getInt32(0, true)
              : name === 'b'
                ? dv.getInt8(0)
                : null;
        expect(p.values.length).toBe(6);
        if (expected !== null) expect(Number(p.values[0])).toBeCloseTo(expected, 5);
      }
    });
  });

  it('a Llama-named checkpoint is drawn as its block dataflow (minicpm3 fixture falls back: MLA names)', async () => {
    await withModel(safetensorsDecoder, 'safetensors/ollama-minicpm3-fixture.safetensors', (m) => {
      expect(m.ir.metadata.dataflow).toBeUndefined();
      expect(summarize(m.ir).ops.RMSNorm).toBeGreaterThan(0);
    });
    await withModel(safetensorsDecoder, 'hf/fake_gpt2/model.safetensors', (m) => {
      const e = edges(m.ir);
      expect(e).toContain('transformer.wte -> transformer.add_positions');
      expect(e).toContain('transformer.h.0.ln_1 -> transformer.h.0.attn.c_attn');
      expect(e).toContain('transformer.h.0.attn.c_attn -> transformer.h.0.attn.attention');
      expect(e).toContain('transformer.h.0.attn.attention -> transformer.h.0.attn.c_proj');
      expect(e).toContain('transformer.h.0.attn.c_proj -> transformer.h.0.attention_residual');
      expect(e).toContain('transformer.h.0.attention_residual -> transformer.h.0.ln_2');
      expect(e).toContain('transformer.h.0.mlp.c_proj -> transformer.h.0.mlp_residual');
      expect(e).toContain('transformer.h.0.mlp_residual -> transformer.ln_f');
      expect(m.ir.metadata['config.model_type']).toBe('gpt2');
    });
  });

  it('an index without its shards says so and lists what the index knows', async () => {
    const path = 'safetensors/index-only/flux.1-dev-text_encoder_2/model.safetensors.index.json';
    await withModel(safetensorsDecoder, path, (m) => {
      const s = summarize(m.ir);
      expect(s.initializers).toBe(checkpointsReference[path].weight_map_size ?? 219);
      expect(s.parameters).toBe(0);
      expect(m.ir.metadata['shards']).toBe('5 named, 0 present');
      expect(m.ir.metadata['shards absent']).toContain('5 of 5');
      expect(m.ir.metadata['index.total_size']).toBe('9524621312');
    });
  });

  it('a sharded set opens every shard it can reach', async () => {
    const shard = (name: string) => {
      const s = safetensors(
        { [name]: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } },
        new Uint8Array(new Float32Array([1.5, 2]).buffer),
      );
      return s.bytes;
    };
    const index = new TextEncoder().encode(
      JSON.stringify({ weight_map: { a: 'm-00001-of-00002.safetensors', b: 'm-00002-of-00002.safetensors' } }),
    );
    const source = new BufferSource(
      index,
      'model.safetensors.index.json',
      new Map([
        ['m-00001-of-00002.safetensors', shard('a')],
        ['m-00002-of-00002.safetensors', shard('b')],
      ]),
    );
    const m = await safetensorsDecoder.open(source);
    expect(summarize(m.ir).parameters).toBe(4);
    expect(m.ir.metadata['shards']).toBe('2 named, 2 present');
    const p = await tensorPreview(source, m.ir, valueNamed(m.ir, 'b'));
    expect(p.values).toEqual(['1.50000', '2']);
  });

  it('a sharded set reports progress and checks for cancellation shard by shard', async () => {
    const shards = new Map<string, Uint8Array>();
    const weightMap: Record<string, string> = {};
    for (let i = 0; i < 20; i++) {
      const name = `m-${i}.safetensors`;
      shards.set(
        name,
        safetensors({ [`t${i}`]: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)).bytes,
      );
      weightMap[`t${i}`] = name;
    }
    const index = new TextEncoder().encode(JSON.stringify({ weight_map: weightMap }));
    const progress: [number, number][] = [];
    let checks = 0;
    await safetensorsDecoder.open(new BufferSource(index, 'model.safetensors.index.json', shards), {
      onProgress: (done, total) => progress.push([done, total]),
      checkCancelled: () => void checks++,
    });
    expect(checks).toBeGreaterThanOrEqual(20);
    expect(progress.filter(([done, total]) => total === 20 && done > 0 && done < 20).length).toBeGreaterThan(10);
    let left = 5;
    const cancelled = await safetensorsDecoder
      .open(new BufferSource(index, 'model.safetensors.index.json', shards), {
        checkCancelled: () => {
          if (--left < 0) throw new CancelledError();
        },
      })
      .catch((e) => e);
    expect(cancelled).toBeInstanceOf(CancelledError);
  });

  it('bad input: one clear DecodeError each', async () => {
    const bad = async (s: BufferSource, message: RegExp) => {
      const err = await safetensorsDecoder.open(s).catch((e) => e);
      expect(err).toBeInstanceOf(DecodeError);
      expect(err.message).toMatch(message);
    };
    await bad(new BufferSource(new Uint8Array(5), 'x.safetensors'), /too short/);
    await bad(safetensors({}, undefined, 1e12), /past the end of the file/);
    await bad(safetensors({ a: { dtype: 'F32', shape: [1e9, 1e9], data_offsets: [0, 4] } }), /ends at byte|needs/);
    await bad(
      safetensors({ a: { dtype: 'Q9', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /unknown dtype/,
    );
    await bad(
      safetensors({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /invalid shape/,
    );
    const notJson = safetensors({});
    notJson.bytes[8] = 0x7b;
    notJson.bytes[9] = 0x7b;
    await bad(notJson, /not valid JSON/);
  });
});
