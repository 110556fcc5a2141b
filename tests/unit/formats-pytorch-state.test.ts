import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { pytorchStateDecoder } from '../../src/decode/pytorch-state/index.ts';
import { detectFormat } from '../../src/decode/registry.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { dtypeName, str } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { edges, modelPath, valueNamed, withModel } from '../helpers/checkpoints.ts';

interface Ref { tensors: number; elements: number; dtypes: Record<string, number> }
const reference = JSON.parse(readFileSync(modelPath('pytorch/reference.json'), 'utf8')) as Record<string, Ref>;

describe('PyTorch torch.save checkpoints (written by Debian torch, pytorch/reference.json)', () => {
  it.each(Object.entries(reference))('%s: torch.load tensor count, elements and dtypes', async (file, ref) => {
    await withModel(pytorchStateDecoder, `pytorch/${file}`, (m) => {
      const s = summarize(m.ir);
      expect(s.initializers).toBe(ref.tensors);
      expect(s.parameters).toBe(ref.elements);
      const dtypes: Record<string, number> = {};
      for (let v = 0; v < m.ir.valueCount; v++) if (m.ir.valueDataOffset[v] >= 0) dtypes[dtypeName(m.ir.valueDtype[v])] = (dtypes[dtypeName(m.ir.valueDtype[v])] ?? 0) + 1;
      expect(dtypes).toEqual(ref.dtypes);
      expect(validateIR(m.ir)).toEqual([]);
    });
  });

  it('wins over TorchScript for state_dicts, zip and legacy', async () => {
    for (const file of Object.keys(reference)) {
      const source = await NodeFileSource.open(modelPath(`pytorch/${file}`));
      expect((await detectFormat(source)).name, file).toBe(pytorchStateDecoder.name);
      await source.close();
    }
  });

  it('a GPT-2 state_dict (legacy format too) is drawn as its blocks; previews read the storages', async () => {
    for (const file of ['gpt2_tiny_state_dict.pth', 'gpt2_tiny_pytorch_model.bin']) {
      await withModel(pytorchStateDecoder, `pytorch/${file}`, async (m) => {
        const e = edges(m.ir);
        expect(e).toContain('transformer.h.3.mlp.c_proj -> transformer.h.3.mlp_residual');
        expect(e).toContain('transformer.ln_f -> lm_head');
        const v = valueNamed(m.ir, 'transformer.wte.weight');
        const p = await tensorPreview(m.source, m.ir, v);
        const raw = await m.source.read(m.ir.valueDataOffset[v], 4);
        expect(Number(p.values[0])).toBeCloseTo(new DataView(raw.buffer, raw.byteOffset).getFloat32(0, true), 5);
      });
    }
  });

  it('a training checkpoint lists optimizer state apart; a pickled module shows its classes', async () => {
    await withModel(pytorchStateDecoder, 'pytorch/cnn_training_checkpoint.pt', (m) => {
      expect(m.ir.metadata['checkpoint.epoch']).toBe('7');
      expect(m.ir.metadata['tensors']).toBe('16');
      expect(m.ir.metadata['optimizer tensors']).toMatch(/^30 /);
      expect(summarize(m.ir).ops.OptimizerState).toBe(10);
    });
    await withModel(pytorchStateDecoder, 'pytorch/cnn_full_model.pth', (m) => {
      const ops = summarize(m.ir).ops;
      expect(ops).toEqual({ BatchNorm2d: 2, Conv2d: 2, Linear: 1 });
      expect(m.ir.metadata['module class']).toBe('CNN');
      const names = Array.from({ length: m.ir.nodeCount }, (_, n) => str(m.ir, m.ir.nodeName[n]));
      expect(names).toContain('features.0');
    });
  });

  it('a pickle naming arbitrary globals is read as names, never called', async () => {
    // Legacy magic, protocol, sys info, then an object built by os.system("…"), then an empty key list.
    const magic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];
    const enc = (s: string) => [...new TextEncoder().encode(s)];
    const pickle = [0x80, 0x02, ...enc('cos\nsystem\n'), 0x55, 5, ...enc('touch'), 0x85, 0x52, 0x2e];
    const bytes = Uint8Array.from([...magic, 0x4d, 0xe9, 0x03, 0x2e, 0x7d, 0x2e, ...pickle, 0x5d, 0x2e]);
    const m = await pytorchStateDecoder.open(new BufferSource(bytes, 'evil.pt'));
    expect(summarize(m.ir).initializers).toBe(0);
  });

  it('bad input: one clear DecodeError each', async () => {
    const legacy = readFileSync(modelPath('pytorch/gpt2_tiny_pytorch_model.bin'));
    const err = await pytorchStateDecoder.open(new BufferSource(legacy.subarray(0, legacy.length - 1000), 'cut.bin')).catch((e) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect(err.message).toMatch(/truncated/);
    const zip = readFileSync(modelPath('pytorch/gpt2_tiny_state_dict.pth'));
    const err2 = await pytorchStateDecoder.open(new BufferSource(zip.subarray(0, 5000), 'cut.pth')).catch((e) => e);
    expect(err2).toBeInstanceOf(DecodeError);
  });
});
