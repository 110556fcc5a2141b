import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { decodeFile } from '../../src/decode/decode-file.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import { onnxNodeDetails } from '../../src/decode/onnx/details.ts';
import { decodeOnnxAttributes } from '../../src/decode/onnx/attributes.ts';
import { ATTRIBUTE_OPS } from '../../src/graph/shapes/attributes.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { GraphKind, ValueFlag, str, type GraphIR } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import {
  CountingSource,
  chainModel,
  gptExport,
  pythonReference,
  sharedModels,
  stringIndex,
  weightHeavy,
  type ReferenceCounts,
} from '../helpers/models.ts';

function expectMatches(ir: GraphIR, ref: ReferenceCounts): void {
  const s = summarize(ir);
  expect(s.nodes).toBe(ref.nodes);
  expect(s.ops).toEqual(ref.ops);
  expect(s.initializers).toBe(ref.initializers);
  expect(s.parameters).toBe(ref.parameters);
  expect(s.inputs.map((i) => i.name)).toEqual(ref.inputs);
  expect(s.outputs.map((o) => o.name)).toEqual(ref.outputs);
}

describe('ONNX decoder against the python onnx package', () => {
  const reference: Record<string, ReferenceCounts> = JSON.parse(
    readFileSync(resolve(sharedModels, 'onnx-reference.json'), 'utf8'),
  );

  it('reproduces the reference counts of every ONNX file in ../shared/models', async () => {
    const paths = Object.keys(reference);
    expect(paths.length).toBeGreaterThan(1000);
    for (const p of paths) {
      const ir = await decodeFile(resolve(sharedModels, p));
      try {
        expectMatches(ir, reference[p]);
      } catch (err) {
        throw new Error(`${p}: ${(err as Error).message}`);
      }
    }
  }, 120_000);

  describe('generated exports', () => {
    let files: string[] = [];
    let ref: Record<string, ReferenceCounts> = {};
    beforeAll(() => {
      files = [gptExport(12), gptExport(6, 32, 4, true), chainModel(3001), weightHeavy(200)];
      ref = pythonReference(files);
    }, 600_000);

    it('matches python onnx on torch.onnx exports (dynamic and static axes), chains and weight-heavy files', async () => {
      for (const f of files) expectMatches(await decodeFile(f), ref[f]);
    });
  });
});

describe('streaming', () => {
  it('skips weight payloads: a 200 MB file is decoded reading a small fraction of it', async () => {
    const file = weightHeavy(200);
    const source = new CountingSource(await NodeFileSource.open(file));
    const { ir } = (await openModelFile(source)).model;
    expect(ir.nodeCount).toBe(24);
    expect(source.size).toBeGreaterThan(190e6);
    expect(source.bytesRead).toBeLessThan(source.size / 10);
    // Offsets are recorded so bytes can be read on request.
    const w = stringIndex(ir.strings, 'layers.3.weight');
    const v = ir.valueName.indexOf(w);
    expect(ir.valueFlags[v] & ValueFlag.Initializer).toBeTruthy();
    const preview = await tensorPreview(source, ir, v);
    expect(preview.dtype).toBe('float32');
    expect(Number(preview.values[1])).toBeCloseTo(1 / (preview.shape![0] as number), 6);
    expect(preview.stats!.count).toBeGreaterThan(0);
    expect(preview.note).toMatch(/first/);
  }, 600_000);

  it('reads the node records of an attribute pass in merged spans, not one request per window', async () => {
    const file = chainModel(20_000);
    const { ir } = (await openModelFile(await NodeFileSource.open(file))).model;
    const source = new CountingSource(await NodeFileSource.open(file));
    const all = await decodeOnnxAttributes(source, ir, ATTRIBUTE_OPS);
    // Three records in every 19 (two LayerNorms, a Transpose), spread over ~3 MB of node records: a few reads.
    expect(all.size).toBe(3 * Math.floor(20_000 / 19) + 1);
    expect(source.reads).toBeLessThan(8);
    const n = ir.nodeOp.findIndex((op) => str(ir, op) === 'Transpose');
    expect(Array.from(all.of(n)?.get('perm') as ArrayLike<number>)).toEqual([0, 2, 1]);
    const norm = ir.nodeOp.findIndex((op) => str(ir, op) === 'LayerNormalization');
    expect(all.of(norm)?.get('epsilon')).toBeCloseTo(1e-5);
  }, 300_000);

  it('references external data without loading it and previews it from the sibling file', async () => {
    const file = weightHeavy(8, true);
    const ir = await decodeFile(file);
    const v = ir.valueName.indexOf(stringIndex(ir.strings, 'layers.0.weight'));
    expect(ir.valueFlags[v] & ValueFlag.External).toBeTruthy();
    expect(str(ir, ir.valueLocation[v])).toMatch(/\.onnx\.data$/);
    const source = await NodeFileSource.open(file);
    const preview = await tensorPreview(source, ir, v);
    await source.close();
    expect(Number(preview.values[0])).toBe(0);
    expect(Number(preview.values[2])).toBeCloseTo(2 / (preview.shape![0] as number), 6);
  }, 600_000);
});

describe('IR shape', () => {
  it('keeps If branches as sub-graphs linked to their node, with outer names resolved', async () => {
    const ir = await decodeFile(resolve(sharedModels, 'onnx/silero_vad_v5.onnx'));
    const s = summarize(ir);
    expect(s.subgraphs).toBeGreaterThanOrEqual(2);
    for (let g = 1; g < ir.graphCount; g++) {
      expect(ir.graphKind[g]).toBe(GraphKind.Subgraph);
      const parent = ir.graphParentNode[g];
      expect(parent).toBeGreaterThanOrEqual(0);
      expect(str(ir, ir.nodeOp[parent])).toBe('If');
    }
    // Every node input is produced, an initializer, a graph input, or (for sub-graphs) an outer value.
    let dangling = 0;
    for (let k = 0; k < ir.nodeInputs.length; k++) {
      const v = ir.nodeInputs[k];
      if (v < 0) continue;
      const f = ir.valueFlags[v];
      if (ir.valueProducer[v] < 0 && !(f & (ValueFlag.Initializer | ValueFlag.GraphInput | ValueFlag.ConstantNode)))
        dangling++;
    }
    expect(dangling).toBe(0);
  });

  it('links producers and consumers and keeps symbolic dims by name', async () => {
    const ir = await decodeFile(resolve(sharedModels, 'onnx/gpt_decoder_10k.onnx'));
    const input = ir.graphInputs[0];
    expect(str(ir, ir.valueName[input])).toBe('input_ids');
    const dims = [...ir.valueShapeSymbols.subarray(ir.valueShapeOffsets[input], ir.valueShapeOffsets[input + 1])].map(
      (s) => str(ir, s),
    );
    expect(dims).toEqual(['batch', 'sequence']);
    for (let n = 0; n < ir.nodeCount; n++) {
      for (let k = ir.nodeOutputOffsets[n]; k < ir.nodeOutputOffsets[n + 1]; k++)
        expect(ir.valueProducer[ir.nodeOutputs[k]]).toBe(n);
    }
    const consumers = ir.valueConsumerOffsets[input + 1] - ir.valueConsumerOffsets[input];
    expect(consumers).toBeGreaterThan(0);
  });

  it('records Constant node payloads as constant values', async () => {
    const ir = await decodeFile(resolve(sharedModels, 'onnx/ch_PP-OCRv4_det_infer.onnx'));
    let constants = 0;
    for (let v = 0; v < ir.valueCount; v++)
      if (ir.valueFlags[v] & ValueFlag.ConstantNode && ir.valueDataOffset[v] >= 0) constants++;
    expect(constants).toBeGreaterThan(50);
  });
});

describe('node details on demand', () => {
  it('decodes a Conv node attributes from its byte range', async () => {
    const file = resolve(sharedModels, 'onnx/mlsd_320x320_tiny.onnx');
    const ir = await decodeFile(file);
    const conv = [...ir.nodeOp].findIndex((op) => str(ir, op) === 'Conv');
    expect(conv).toBeGreaterThanOrEqual(0);
    const source = await NodeFileSource.open(file);
    const details = await onnxNodeDetails(source, ir, conv);
    await source.close();
    const names = details.attributes.map((a) => a.name);
    expect(names).toContain('kernel_shape');
    const ks = details.attributes.find((a) => a.name === 'kernel_shape')!;
    expect(ks.type).toBe('ints');
    expect(ks.value).toMatch(/^\[\d+, \d+\]$/);
  });

  it('summarises sub-graph attributes of an If node', async () => {
    const file = resolve(sharedModels, 'onnx/silero_vad_v5.onnx');
    const ir = await decodeFile(file);
    const ifNode = [...ir.nodeOp].findIndex((op, n) => str(ir, op) === 'If' && ir.nodeGraph[n] === 0);
    const source = await NodeFileSource.open(file);
    const details = await onnxNodeDetails(source, ir, ifNode);
    await source.close();
    expect(details.attributes.map((a) => a.name).sort()).toEqual(['else_branch', 'then_branch']);
    expect(details.attributes[0].value).toMatch(/^graph .* \(\d+ nodes\)$/);
  });
});

describe('bad input', () => {
  const bytes = readFileSync(resolve(sharedModels, 'onnx/mlsd_320x320_tiny.onnx'));

  it('names the file and the problem for a truncated model', async () => {
    for (const cut of [1, 2, 17, 1000, bytes.length >> 1, bytes.length - 1]) {
      const source = new BufferSource(new Uint8Array(bytes.subarray(0, cut)), 'cut.onnx');
      await expect(openModelFile(source)).rejects.toSatisfy(
        (e: unknown) => e instanceof DecodeError && e.describe().startsWith('cut.onnx: '),
      );
    }
  });

  it('rejects an empty file and a non-model', async () => {
    await expect(openModelFile(new BufferSource(new Uint8Array(0), 'empty.onnx'))).rejects.toThrow(/empty file/);
    const text = new TextEncoder().encode('hello, this is not a model at all\n'.repeat(10));
    await expect(openModelFile(new BufferSource(text, 'notes.onnx'))).rejects.toBeInstanceOf(DecodeError);
    await expect(openModelFile(new BufferSource(text, 'notes.txt'))).rejects.toThrow(/unrecognised model format/);
  });

  it('rejects hostile lengths and varints without reading past the end', async () => {
    // graph field (7) with a 2^60 length; then a varint that never terminates.
    const huge = new Uint8Array([0x08, 0x07, 0x3a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]);
    await expect(openModelFile(new BufferSource(huge, 'huge.onnx'))).rejects.toThrow(/length|end/);
    const endless = new Uint8Array([0x08, 0x07, 0x10, ...new Array(20).fill(0xff)]);
    await expect(openModelFile(new BufferSource(endless, 'endless.onnx'))).rejects.toBeInstanceOf(DecodeError);
  });
});
