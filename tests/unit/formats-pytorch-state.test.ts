import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

interface Ref {
  tensors: number;
  elements: number;
  dtypes: Record<string, number>;
}
const reference = JSON.parse(readFileSync(modelPath('pytorch/reference.json'), 'utf8')) as Record<string, Ref>;

describe('PyTorch torch.save checkpoints (written by Debian torch, pytorch/reference.json)', () => {
  it.each(Object.entries(reference))('%s: torch.load tensor count, elements and dtypes', async (file, ref) => {
    await withModel(pytorchStateDecoder, `pytorch/${file}`, (m) => {
      const s = summarize(m.ir);
      expect(s.initializers).toBe(ref.tensors);
      expect(s.parameters).toBe(ref.elements);
      const dtypes: Record<string, number> = {};
      for (let v = 0; v < m.ir.valueCount; v++)
        if (m.ir.valueDataOffset[v] >= 0)
          dtypes[dtypeName(m.ir.valueDtype[v])] = (dtypes[dtypeName(m.ir.valueDtype[v])] ?? 0) + 1;
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
    const err = await pytorchStateDecoder
      .open(new BufferSource(legacy.subarray(0, legacy.length - 1000), 'cut.bin'))
      .catch((e) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect(err.message).toMatch(/truncated/);
    const zip = readFileSync(modelPath('pytorch/gpt2_tiny_state_dict.pth'));
    const err2 = await pytorchStateDecoder.open(new BufferSource(zip.subarray(0, 5000), 'cut.pth')).catch((e) => e);
    expect(err2).toBeInstanceOf(DecodeError);
  });

  it('legacy storages of types the tensor walk does not reach (tuples, complex64) still place every later storage', async () => {
    // torch 1.13 writes the legacy format; the storages follow in sorted key order, so the unusual ones sit between
    // normal tensors. Expected values come from torch itself.
    const dir = mkdtempSync(join(tmpdir(), 'strata-legacy-'));
    try {
      const file = join(dir, 'mixed.bin');
      const script = `
import json, sys, torch
torch.manual_seed(0)
obj = {}
for i in range(6):
    obj[f"hidden.{i}"] = (torch.arange(3 + i, dtype=torch.uint8),)
    obj[f"c.{i}"] = torch.tensor([1 + 2j, 3 - 4j], dtype=torch.complex64)
    obj[f"w.{i}"] = torch.randn(2, 3 + i)
torch.save(obj, sys.argv[1], _use_new_zipfile_serialization=False)
print(json.dumps({k: v.flatten().tolist() for k, v in obj.items() if k.startswith("w.")}))
`;
      const expected = JSON.parse(
        execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8', timeout: 120_000 }),
      ) as Record<string, number[]>;
      const source = await NodeFileSource.open(file);
      try {
        const m = await pytorchStateDecoder.open(source);
        for (const [name, values] of Object.entries(expected)) {
          const p = await tensorPreview(m.source, m.ir, valueNamed(m.ir, name));
          expect(p.values.map(Number), name).toEqual(values.map((x) => expect.closeTo(x, 5)));
        }
      } finally {
        await source.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('negative pickled dims or storage offsets are one DecodeError naming the tensor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-legacy-'));
    try {
      const file = join(dir, 'neg.pth');
      // torch refuses negative sizes, so the pickled args of _rebuild_tensor_v2 are rewritten on the way out.
      const script = `
import sys, torch, torch._utils as u
t = torch.zeros(2, 3)
orig = torch.Tensor.__reduce_ex__
def patched(self, proto):
    fn, args = orig(self, proto)[:2]
    args = list(args)
    args[1], args[2] = int(sys.argv[2]), tuple(int(x) for x in sys.argv[3].split(","))
    return (fn, tuple(args))
torch.Tensor.__reduce_ex__ = patched
torch.save({"bad.weight": t}, sys.argv[1], _use_new_zipfile_serialization=False)
`;
      for (const [offset, dims] of [
        ['0', '2,-3'],
        ['-4', '2,3'],
      ]) {
        execFileSync('/usr/bin/python3', ['-c', script, file, offset, dims], { encoding: 'utf8', timeout: 120_000 });
        const bytes = readFileSync(file);
        const err = await pytorchStateDecoder.open(new BufferSource(bytes, 'neg.pth')).catch((e) => e);
        expect(err, `${offset} ${dims}`).toBeInstanceOf(DecodeError);
        expect(err.message).toMatch(/bad\.weight/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
