import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile } from '../../src/decode/decode-file.ts';
import { layoutIR } from '../../src/decode/layout-ir.ts';
import { foldConstants } from '../../src/graph/fold.ts';
import { graphInputIds, graphOutputIds, str } from '../../src/graph/ir.ts';
import { LayoutEngine } from '../../src/layout/engine.ts';
import { chainModel, repoRoot } from '../helpers/models.ts';

describe('layoutIR (the layout worker’s copy of a model)', () => {
  it.each([
    ['gpt-tiny', resolve(repoRoot, 'samples/gpt-tiny.onnx')],
    ['chain 5000', chainModel(5000)],
  ])('groups and lays out %s exactly as the full IR does, with a smaller string table', async (_, path) => {
    const ir = await decodeFile(path);
    const copy = layoutIR(ir);
    expect(copy.strings.length).toBeLessThan(ir.strings.length);
    expect(copy.nodeOp).not.toBe(ir.nodeOp);
    for (let v = 0; v < ir.nodeCount; v++) {
      expect(str(copy, copy.nodeName[v])).toBe(str(ir, ir.nodeName[v]));
      expect(str(copy, copy.nodeOp[v])).toBe(str(ir, ir.nodeOp[v]));
    }
    for (const v of [...graphInputIds(ir, 0), ...graphOutputIds(ir, 0)]) {
      expect(str(copy, copy.valueName[v])).toBe(str(ir, ir.valueName[v]));
    }
    const boxes = { folded: foldConstants(ir), rows: null };
    const full = new LayoutEngine({ useElk: false });
    const lean = new LayoutEngine({ useElk: false });
    const h = await full.group(ir, boxes);
    const hl = await lean.group(copy, boxes);
    expect(hl.groupPath).toEqual(h.groupPath);
    expect(hl.groupLabel).toEqual(h.groupLabel);
    expect(Array.from(hl.groupHash)).toEqual(Array.from(h.groupHash));
    const expanded = Uint32Array.from({ length: Math.min(h.groupCount - 1, 40) }, (_, i) => i + 1);
    const a = await full.layout(expanded);
    const b = await lean.layout(expanded);
    expect(Array.from(b.boxX)).toEqual(Array.from(a.boxX));
    expect(Array.from(b.boxW)).toEqual(Array.from(a.boxW));
  });
});
