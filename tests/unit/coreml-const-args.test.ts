import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import type { OpenModel } from '../../src/decode/decoder.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { buildBoxRows } from '../../src/decode/box-rows.ts';
import { opFactsFor } from '../../src/decode/input-roles.ts';
import { ValueFlag, nodeInputIds, str } from '../../src/graph/ir.ts';
import { sharedModels } from '../helpers/models.ts';

/** SuperPoint as coremltools writes it: every conv argument (strides, pad, dilations, groups) is a named const. */
const SUPERPOINT = resolve(sharedModels, 'coreml/superpoint.mlpackage/Data/com.apple.CoreML/model.mlmodel');

describe('Core ML ML Program: arguments bound to inline consts', () => {
  let source: NodeFileSource;
  let model: OpenModel;
  beforeAll(async () => {
    source = await NodeFileSource.open(SUPERPOINT);
    model = (await openModelFile(source)).model;
  });
  afterAll(async () => {
    await source.close?.();
  });

  it('a conv shows the values of its strides, pad type, dilations and groups, and keeps names of real inputs', async () => {
    const ir = model.ir;
    const conv = Array.from({ length: ir.nodeCount }, (_, n) => n).find((n) => str(ir, ir.nodeOp[n]) === 'conv')!;
    const attrs = new Map((await model.nodeDetails(conv)).attributes.map((a) => [a.name, a]));
    expect(attrs.get('strides')).toMatchObject({ name: 'strides', type: 'constant', value: '[1, 1]' });
    expect(attrs.get('dilations')!.value).toBe('[1, 1]');
    expect(attrs.get('groups')!.value).toBe('1');
    expect(attrs.get('pad_type')!.value).toBe('"custom"');
    expect(attrs.get('pad')!.value).toMatch(/^\[\d+, \d+, \d+, \d+\]$/);
    // The data input is another op's output, the weight a blob-file tensor: both stay names.
    expect(attrs.get('x')!.type).toBe('input');
    expect(attrs.get('weight')!.type).toBe('input');
    expect(attrs.get('weight')!.value).toMatch(/weight/);
  });

  it('inline int consts have their bytes located, so their values preview instead of reading "0 B"', async () => {
    const ir = model.ir;
    const conv = Array.from({ length: ir.nodeCount }, (_, n) => n).find((n) => str(ir, ir.nodeOp[n]) === 'conv')!;
    const ints = Array.from(nodeInputIds(ir, conv)).filter(
      (v) => v >= 0 && ir.valueFlags[v] & ValueFlag.Initializer && ir.valueDtype[v] === 6,
    );
    expect(ints.length).toBeGreaterThan(0);
    for (const v of ints) {
      expect(ir.valueDataLength[v]).toBeGreaterThan(0);
      const p = await tensorPreview(source, ir, v);
      expect(p.values.length).toBeGreaterThan(0);
      for (const x of p.values) expect(Number.isInteger(Number(x))).toBe(true);
    }
  });

  it('the conv box lists its weights by argument name and its small consts once, by value', async () => {
    const ir = model.ir;
    const rows = await buildBoxRows(model, {
      fold: true,
      facts: await opFactsFor('coreml'),
      maxAttributeNodes: 5000,
      prefetch: null,
    });
    const conv = Array.from({ length: ir.nodeCount }, (_, n) => n).find((n) => str(ir, ir.nodeOp[n]) === 'conv')!;
    const text = Array.from(
      rows.rowText.subarray(rows.rowOffsets[conv], rows.rowOffsets[conv + 1]),
      (t) => rows.texts[t],
    );
    expect(text.slice(0, 2)).toEqual(['weight ⟨64×1×3×3⟩', 'bias ⟨64⟩']);
    // strides = [1, 1] and dilations = [1, 1] are the defaults, left out like every format's defaults.
    expect(text.slice(2)).toEqual(['pad_type = "custom"', 'pad = [1, 1, 1, 1]', 'groups = 1']);
    // No SSA variable names, and the data input (an edge) is not a row.
    for (const r of text) expect(r).not.toMatch(/var_\d|^x = |^in\d/);
  });
});
