import { describe, expect, it } from 'vitest';
import { BufferSource, type ByteSource } from '../../src/decode/io/byte-source.ts';
import { CancelledError, DecodeError } from '../../src/decode/errors.ts';
import { ggufDecoder } from '../../src/decode/gguf/index.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { ggufTensorBytes, writeGguf } from '../helpers/gguf-writer.ts';
import { checkpointsReference, edges, valueNamed, withModel } from '../helpers/checkpoints.ts';

const files = Object.entries(checkpointsReference).filter(([, r]) => r.format === 'gguf');

describe('GGUF (real files, checkpoints-reference.json)', () => {
  it.each(files)('%s: reference tensors, elements and metadata keys', async (path, ref) => {
    await withModel(ggufDecoder, path, (m) => {
      const s = summarize(m.ir);
      expect(s.initializers).toBe(ref.tensor_count);
      expect(s.parameters).toBe(ref.total_elements ?? 0);
      for (const key of ref.metadata_keys as string[]) expect(m.ir.metadata, key).toHaveProperty([key]);
      expect(m.ir.metadata['general.architecture']).toBe(ref.architecture);
      expect(validateIR(m.ir)).toEqual([]);
    });
  });

  it('the tokenizer is summarised, not listed', async () => {
    await withModel(ggufDecoder, 'gguf/vocab/v1-ggml-vocab-llama.gguf', (m) => {
      expect(m.ir.metadata.format).toBe('GGUF v1');
      expect(m.ir.metadata.tokenizer).toMatch(/^llama, 32,000 tokens/);
      expect(m.ir.metadata['tokenizer.ggml.tokens'].length).toBeLessThan(400);
    });
  });

  it('a GGUF llama is drawn as its block dataflow', async () => {
    await withModel(ggufDecoder, 'gguf/llama-2-tiny-random.gguf', (m) => {
      const e = edges(m.ir);
      for (const edge of [
        'token_embd -> blk.0.attn_norm',
        'blk.0.attn_norm -> blk.0.attn_q',
        'blk.0.attn_norm -> blk.0.attn_k',
        'blk.0.attn_norm -> blk.0.attn_v',
        'blk.0.attn_q -> blk.0.attention',
        'blk.0.attention -> blk.0.attn_output',
        'blk.0.attn_output -> blk.0.attention_residual',
        'token_embd -> blk.0.attention_residual',
        'blk.0.attention_residual -> blk.0.ffn_norm',
        'blk.0.ffn_norm -> blk.0.ffn_gate',
        'blk.0.ffn_up -> blk.0.gated_activation',
        'blk.0.gated_activation -> blk.0.ffn_down',
        'blk.0.ffn_down -> blk.0.mlp_residual',
        'blk.0.mlp_residual -> output_norm',
        'output_norm -> output',
      ])
        expect(e, edge).toContain(edge);
      expect(summarize(m.ir).ops.Add).toBe(2);
      // Named as `strata inspect` names them (IR dtype names, ggml block types).
      expect(m.ir.metadata['tensor types']).toBe('float16 ×9, float32 ×3');
    });
  });

  it('F16 previews match the bytes', async () => {
    await withModel(ggufDecoder, 'gguf/llama-2-tiny-random.gguf', async (m) => {
      const v = valueNamed(m.ir, 'token_embd.weight');
      expect(m.ir.valueDataLength[v]).toBe(8 * 32000 * 2);
      const p = await tensorPreview(m.source, m.ir, v);
      const raw = await m.source.read(m.ir.valueDataOffset[v], 2);
      const h = raw[0] | (raw[1] << 8);
      const e = (h >> 10) & 31;
      const expected = (h & 0x8000 ? -1 : 1) * (e ? 1 + (h & 1023) / 1024 : (h & 1023) / 1024) * 2 ** ((e || 1) - 15);
      expect(Number(p.values[0])).toBeCloseTo(expected, 5);
    });
  });
});

describe('GGUF quantized tensors (files written from the GGUF spec by tests/helpers/gguf-writer.ts)', () => {
  const q8 = new Uint8Array(34);
  q8[0] = 0x00;
  q8[1] = 0x38; // d = 0.5 (f16 0x3800)
  for (let i = 0; i < 32; i++) q8[2 + i] = (i - 16) & 255;
  const q4 = new Uint8Array(18);
  q4[1] = 0x3c; // d = 1
  for (let j = 0; j < 16; j++) q4[2 + j] = (j & 15) | (((15 - j) & 15) << 4);
  const file = writeGguf(
    [
      ['general.architecture', 'string', 'llama'],
      ['general.file_type', 'u32', 15],
    ],
    [
      { name: 'q8.weight', ne: [32, 1], type: 8, data: q8 },
      { name: 'q4.weight', ne: [32, 1], type: 2, data: q4 },
      { name: 'k4.weight', ne: [256, 2], type: 12 },
      { name: 'k6.weight', ne: [256, 2], type: 14 },
    ],
  );

  it('stored bytes and bits per weight per tensor and in total', async () => {
    const m = await ggufDecoder.open(new BufferSource(file, 'quant.gguf'));
    const bytes = (n: string) => m.ir.valueDataLength[valueNamed(m.ir, n)];
    expect(bytes('q8.weight')).toBe(34);
    expect(bytes('q4.weight')).toBe(18);
    expect(bytes('k4.weight')).toBe(ggufTensorBytes(12, [256, 2]));
    expect(bytes('k6.weight')).toBe(420);
    expect(summarize(m.ir).parameters).toBe(32 + 32 + 512 + 512);
    expect(m.ir.metadata['bits per weight']).toBe((((34 + 18 + 288 + 420) * 8) / 1088).toFixed(2));
    const node = m.ir.valueConsumers[m.ir.valueConsumerOffsets[valueNamed(m.ir, 'k4.weight')]];
    const details = await m.nodeDetails(node);
    expect(details.attributes.find((a) => a.name === 'k4.weight')?.value).toContain('4.50 bits/weight');
  });

  it('Q8_0 and Q4_0 blocks are dequantized for the preview', async () => {
    const source = new BufferSource(file, 'quant.gguf');
    const m = await ggufDecoder.open(source);
    const p8 = await tensorPreview(source, m.ir, valueNamed(m.ir, 'q8.weight'));
    expect(p8.values.slice(0, 3).map(Number)).toEqual([-8, -7.5, -7]);
    const p4 = await tensorPreview(source, m.ir, valueNamed(m.ir, 'q4.weight'));
    expect(p4.values.slice(0, 2).map(Number)).toEqual([-8, -7]);
    expect(Number(p4.values[16])).toBe(7);
    const k4 = await tensorPreview(source, m.ir, valueNamed(m.ir, 'k4.weight'));
    expect(k4.sampled).toBe(512);
  });

  it('bad input: one clear DecodeError each', async () => {
    const bad = async (bytes: Uint8Array, message: RegExp) => {
      const err = await ggufDecoder.open(new BufferSource(bytes, 'bad.gguf')).catch((e) => e);
      expect(err).toBeInstanceOf(DecodeError);
      expect(err.message).toMatch(message);
    };
    await bad(file.subarray(0, 6), /truncated/);
    await bad(file.subarray(0, file.length - 300), /past the end/);
    const unknown = writeGguf([], [{ name: 't', ne: [4], type: 0 }]);
    const at = unknown.indexOf(0x74) + 1 + 4 + 8; // after name 't', n_dims, ne[0]
    new DataView(unknown.buffer).setUint32(at, 77, true);
    await bad(unknown, /unknown ggml type 77/);
    const hostile = writeGguf([], []);
    new DataView(hostile.buffer).setUint32(16, 0xffffffff, true); // metadata count
    await bad(hostile, /cannot fit/);
    const version = writeGguf([], []);
    version[4] = 9;
    await bad(version, /unsupported GGUF version 9/);
  });

  it('a hostile 2 GB metadata string or token is stepped over, never read whole', async () => {
    const HUGE = 2 ** 31;
    /** prefix | HUGE bytes of 'A' | suffix, answering reads without holding the huge part; big reads are refused. */
    const hostile = (prefix: Uint8Array, suffix: Uint8Array): ByteSource => ({
      name: 'huge.gguf',
      size: prefix.length + HUGE + suffix.length,
      async read(offset, length) {
        if (length > 64 << 20) throw new Error(`read of ${length} bytes`);
        const out = new Uint8Array(Math.max(0, Math.min(length, this.size - offset))).fill(0x41);
        for (const [at, part] of [
          [0, prefix],
          [prefix.length + HUGE, suffix],
        ] as const) {
          const from = Math.max(offset, at);
          const to = Math.min(offset + out.length, at + part.length);
          if (from < to) out.set(part.subarray(from - at, to - at), from - offset);
        }
        return out;
      },
    });
    // A string value: 'x' becomes a 2 GB string; what follows it in the file is the next key/value.
    const file = writeGguf(
      [
        ['general.architecture', 'string', 'llama'],
        ['huge', 'string', 'x'],
        ['after', 'u32', 7],
      ],
      [],
    );
    const x = file.indexOf(0x78, file.indexOf(new TextEncoder().encode('huge')[3]) + 1);
    const prefix = file.slice(0, x);
    new DataView(prefix.buffer).setUint32(x - 8, HUGE % 4294967296, true);
    new DataView(prefix.buffer).setUint32(x - 4, Math.floor(HUGE / 4294967296), true);
    const m = await ggufDecoder.open(hostile(prefix, file.slice(x + 1)));
    expect(m.ir.metadata.huge).toMatch(/^A{256}… \(2,147,483,648 bytes\)$/);
    expect(m.ir.metadata.after).toBe('7');

    // A token list whose first token is 2 GB long.
    const parts: number[] = [];
    const u32 = (v: number) => parts.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24);
    const u64 = (v: number) => (u32(v % 4294967296), u32(Math.floor(v / 4294967296)));
    const str = (t: string) => (u64(t.length), parts.push(...new TextEncoder().encode(t)));
    u32(0x46554747);
    u32(3);
    u64(0);
    u64(1);
    str('tokenizer.ggml.tokens');
    u32(9);
    u32(8);
    u64(3);
    u64(HUGE);
    const head = Uint8Array.from(parts);
    parts.length = 0;
    str('b');
    str('c');
    const tokens = await ggufDecoder.open(hostile(head, Uint8Array.from(parts)));
    expect(tokens.ir.metadata['tokenizer.ggml.tokens']).toBe(`[3 × string] "${'A'.repeat(64)}…", "b", "c"`);
  });

  it('token lists are read with cancellation checks and progress along the way', async () => {
    const parts: number[] = [];
    const u32 = (v: number) => parts.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24);
    const u64 = (v: number) => (u32(v), u32(0));
    u32(0x46554747);
    u32(3);
    u64(0);
    u64(1);
    const key = new TextEncoder().encode('tokenizer.ggml.tokens');
    u64(key.length);
    parts.push(...key);
    u32(9);
    u32(8);
    u64(50_000);
    for (let i = 0; i < 50_000; i++) u64(1), parts.push(0x61);
    const bytes = Uint8Array.from(parts);
    const progress: number[] = [];
    let checks = 0;
    await ggufDecoder.open(new BufferSource(bytes, 'tokens.gguf'), {
      onProgress: (n) => progress.push(n),
      checkCancelled: () => void checks++,
    });
    expect(checks).toBeGreaterThan(3);
    expect(progress.filter((n) => n > 0 && n < bytes.length).length).toBeGreaterThan(3);
    const cancelled = await ggufDecoder
      .open(new BufferSource(bytes, 'tokens.gguf'), {
        checkCancelled: () => {
          throw new CancelledError();
        },
      })
      .catch((e) => e);
    expect(cancelled).toBeInstanceOf(CancelledError);
  });
});
