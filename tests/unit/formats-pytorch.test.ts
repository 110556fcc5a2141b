import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { pytorchDecoder } from '../../src/decode/pytorch/index.ts';
import { unpickle } from '../../src/decode/pytorch/pickle.ts';
import type { OpenModel } from '../../src/decode/decoder.ts';
import { decoders } from '../../src/decode/registry.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { ZipArchive } from '../../src/decode/zip/zip.ts';
import { buildHierarchy } from '../../src/graph/hierarchy/build.ts';
import { ValueFlag, nodeInputIds, str, valueShape, type GraphIR } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { cacheDir, repoRoot } from '../helpers/models.ts';

/*
 * Real TorchScript archives, written by Debian's python3-torch (torch 1.13) with torch.jit.trace / torch.jit.script
 * (tests/helpers/torchscript_models.py, cached under .cache/models/torchscript). The reference op counts are torch's
 * own: the node kinds of each module's inlined_graph.
 */
const dir = resolve(cacheDir, 'torchscript');
interface Reference {
  ops: Record<string, number>;
  state: Record<string, { shape: number[]; head: number[] }>;
}
let ref: Record<string, Reference>;

beforeAll(() => {
  if (!existsSync(resolve(dir, 'reference.json')) || !existsSync(resolve(dir, 'control_scripted.pt'))) {
    execFileSync('/usr/bin/python3', [resolve(repoRoot, 'tests/helpers/torchscript_models.py'), dir], {
      stdio: 'pipe',
      timeout: 300_000,
    });
  }
  ref = JSON.parse(readFileSync(resolve(dir, 'reference.json'), 'utf8'));
});

async function open(name: string): Promise<{ ir: GraphIR; model: OpenModel; source: NodeFileSource }> {
  const source = await NodeFileSource.open(resolve(dir, name));
  const model = await pytorchDecoder.open(source);
  const { ir } = model;
  expect(validateIR(ir, { fileSize: source.size })).toEqual([]);
  return { ir, model, source };
}

/** torch's aten:: (and prim ops that compute) counts, without the bookkeeping kinds the code never spells as calls. */
function atenOps(ops: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(ops).filter(([k]) => k.startsWith('aten::')));
}

function paramCount(r: Reference): number {
  return Object.values(r.state).reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
}

const nodeNamed = (ir: GraphIR, name: string) => {
  for (let n = 0; n < ir.nodeCount; n++) if (str(ir, ir.nodeName[n]) === name) return n;
  throw new Error(`no node ${name}`);
};

describe('PyTorch TorchScript (.pt) from torch.jit.trace', () => {
  it('is claimed by the pytorch decoder only', () => {
    for (const f of ['resnetish_traced.pt', 'resnetish_scripted.pt', 'mlp_traced.pt', 'state_dict.pt']) {
      const head = new Uint8Array(readFileSync(resolve(dir, f)).subarray(0, 4096));
      // Two decoders share the `pytorch` id (torch.save checkpoints first, TorchScript after): one format either way.
      for (const name of [f, 'model.bin'])
        expect([...new Set(decoders.filter((d) => d.sniff(head, name)).map((d) => d.id))], `${f} as ${name}`).toEqual([
          'pytorch',
        ]);
    }
  });

  it("traced ResNet-like model: the same aten ops as torch's inlined graph, scoped by module path", async () => {
    const { ir, model, source } = await open('resnetish_traced.pt');
    try {
      const s = summarize(ir);
      const r = ref['resnetish_traced.pt'];
      expect(s.ops).toEqual(atenOps(r.ops));
      expect(s.nodes).toBe(19);
      expect(s.initializers).toBe(Object.keys(r.state).length);
      expect(s.parameters).toBe(paramCount(r));
      expect(s.inputs.map((i) => i.name)).toEqual(['x']);
      expect(s.outputs.map((o) => o.name)).toEqual(['fc.out']);
      expect(ir.metadata).toMatchObject({ model: 'ResNetish', archive: 'resnetish_traced' });

      // Node names carry the module path, so the hierarchy groups stem / layer1 / layer1/0 / ... .
      const conv = nodeNamed(ir, 'layer1/1/conv2/_convolution');
      const weight = nodeInputIds(ir, conv)[1];
      expect(str(ir, ir.valueName[weight])).toBe('layer1.1.conv2.weight');
      expect(valueShape(ir, weight)).toEqual(r.state['layer1.1.conv2.weight'].shape);
      expect(ir.valueFlags[weight] & ValueFlag.Initializer).toBeTruthy();
      const h = buildHierarchy(ir);
      expect(h.groupCount).toBeGreaterThan(5);

      // Payload offsets point at the stored data/<n> entries: the first values are torch's.
      const bias = [...Array(ir.valueCount).keys()].find((v) => str(ir, ir.valueName[v]) === 'fc.bias')!;
      const preview = await tensorPreview(source, ir, bias);
      expect(preview.values.slice(0, 4).map(Number)).toEqual(
        r.state['fc.bias'].head.map((x) => Number(x.toPrecision(6))),
      );

      const details = await model.nodeDetails(conv);
      expect(details.attributes.find((a) => a.name === 'code')?.value).toMatch(
        /^input0 = torch\._convolution\(input, weight, None,/,
      );
      expect(details.attributes.find((a) => a.name === 'module')?.value).toBe('layer1.1.conv2');
    } finally {
      await source.close();
    }
  });

  it('traced MLP with two inputs and a tuple output', async () => {
    const { ir, source } = await open('mlp_traced.pt');
    await source.close();
    const s = summarize(ir);
    expect(s.ops).toEqual(atenOps(ref['mlp_traced.pt'].ops));
    expect(s.nodes).toBe(7);
    expect(s.inputs.map((i) => i.name)).toEqual(['x', 'y']);
    expect(s.outputs.length).toBe(2);
    expect(s.parameters).toBe(paramCount(ref['mlp_traced.pt']));
  });
});

describe('PyTorch TorchScript (.pt) from torch.jit.script', () => {
  it('follows module calls, methods and functions; folds eval-mode branches; keeps data-dependent ifs as nodes', async () => {
    const { ir, source } = await open('resnetish_scripted.pt');
    await source.close();
    const s = summarize(ir);
    const r = atenOps(ref['resnetish_scripted.pt'].ops);
    // The compute ops are torch's exactly; `self.training` is False in the file, so training-only branches are gone.
    for (const op of [
      'aten::conv2d',
      'aten::batch_norm',
      'aten::relu',
      'aten::linear',
      'aten::flatten',
      'aten::adaptive_avg_pool2d',
    ]) {
      expect(s.ops[op], op).toBe(r[op]);
    }
    expect(s.ops['aten::add']).toBe(2);
    expect(s.ops['aten::add_']).toBeUndefined();
    // BatchNorm2d._check_input_dim raises on a data-dependent condition: one prim::If per BatchNorm, plus the
    // assertion in functional.adaptive_avg_pool2d.
    expect(s.ops['prim::If']).toBe(5);
    expect(s.nodes).toBe(35);
    expect(s.initializers).toBe(Object.keys(ref['resnetish_scripted.pt'].state).length);
    expect(ir.metadata.opaque_statements).toBe('5');
  });
});

describe('PyTorch TorchScript with data-dependent control flow', () => {
  it('a loop and an if on tensor values are kept as prim::Loop / prim::If nodes with their code, never dropped', async () => {
    const { ir, model, source } = await open('control_scripted.pt');
    try {
      const s = summarize(ir);
      expect(s.ops).toEqual({ 'aten::Bool': 1, 'aten::gt': 1, 'aten::sum': 1, 'prim::If': 1, 'prim::Loop': 1 });
      expect(s.inputs.map((i) => i.name)).toEqual(['x', 'n']);
      expect(s.outputs.map((o) => o.name)).toEqual(['x1']);
      const loop = nodeNamed(ir, 'Loop');
      expect(Array.from(nodeInputIds(ir, loop), (v) => str(ir, ir.valueName[v]))).toEqual(['n', 'x']);
      const code = (await model.nodeDetails(loop)).attributes.find((a) => a.name === 'code')?.value;
      expect(code).toBe('for _0 in range(n):\nlin = self.lin\nx0 = (lin).forward(x0, )');
      expect(ir.metadata.opaque_statements).toBe('2');
    } finally {
      await source.close();
    }
  });
});

describe('PyTorch files that are not TorchScript, or are damaged', () => {
  it('a torch.save state_dict says it has no graph', async () => {
    const source = await NodeFileSource.open(resolve(dir, 'state_dict.pt'));
    try {
      await expect(pytorchDecoder.open(source)).rejects.toThrow(/not a TorchScript model/);
    } finally {
      await source.close();
    }
  });

  it('truncated and corrupted archives fail with a DecodeError', async () => {
    const bytes = new Uint8Array(readFileSync(resolve(dir, 'resnetish_traced.pt')));
    for (const cut of [100, bytes.length >> 1, bytes.length - 10]) {
      await expect(pytorchDecoder.open(new BufferSource(bytes.subarray(0, cut), 'cut.pt'))).rejects.toThrow(
        DecodeError,
      );
    }
    // Damage the deflated code of the main class.
    const zip = await ZipArchive.open(new BufferSource(bytes, 'x.pt'));
    const code = zip.get('resnetish_traced/code/__torch__.py')!;
    const at = await zip.dataOffset(code);
    const corrupt = bytes.slice();
    for (let i = 0; i < 40; i++) corrupt[at + 2 + i] ^= 0x5a;
    await expect(pytorchDecoder.open(new BufferSource(corrupt, 'corrupt.pt'))).rejects.toThrow(DecodeError);
    // An entry that claims to inflate to less than it does (a zip bomb's lie) is refused.
    const lie = { ...code, size: 10 };
    await expect(zip.read(lie)).rejects.toThrow(/inflates to more than/);
  });

  it('the unpickler rejects truncated and unknown data', () => {
    expect(() => unpickle(Uint8Array.from([0x80, 0x02, 0x58, 0xff, 0, 0, 0]), 'x', 'data.pkl')).toThrow(DecodeError);
    expect(() => unpickle(Uint8Array.from([0x80, 0x02, 0xff]), 'x', 'data.pkl')).toThrow(/unsupported pickle opcode/);
    expect(unpickle(Uint8Array.from([0x80, 0x02, 0x4b, 0x07, 0x2e]), 'x', 'data.pkl')).toBe(7);
  });
});
