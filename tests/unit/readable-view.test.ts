import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { syntheticTransformer } from '../../bench/models.ts';
import { EXPAND_ALL_OPERATORS, initialExpansion } from '../../src/app/model.ts';
import { decodeFile } from '../../src/decode/decode-file.ts';
import { GraphBuilder } from '../../src/graph/builder.ts';
import { buildHierarchy } from '../../src/graph/hierarchy/build.ts';
import { contentLabel, isLayerIdLabel } from '../../src/graph/hierarchy/content-name.ts';
import { GroupKind } from '../../src/graph/hierarchy/types.ts';
import { GraphKind, type GraphIR } from '../../src/graph/ir.ts';
import { operatorCount } from '../../src/graph/operator-count.ts';
import { LayoutEngine } from '../../src/layout/engine.ts';
import { BoxKind } from '../../src/layout/types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const OCR = resolve(here, '../../../shared/models/onnx/ch_PP-OCRv4_det_infer.onnx');

function graph(nodes: [string, string, string[], string[]][]): GraphIR {
  const b = new GraphBuilder('test');
  const g = b.beginGraph('main', GraphKind.Main);
  for (const [name, op, ins, outs] of nodes)
    b.addNode(
      g,
      name,
      op,
      ins.map((t) => b.value(g, t)),
      outs.map((t) => b.value(g, t)),
    );
  return b.finish();
}

describe('operatorCount', () => {
  it('counts nodes that compute, not Constant-like ones (PP-OCR: 672 nodes, 342 Constant)', async () => {
    const ir = await decodeFile(OCR);
    expect(ir.nodeCount).toBe(672);
    expect(operatorCount(ir)).toBe(330);
  });
});

describe('initial expansion and chunking by operator count', () => {
  it('a flat graph of at most 2,000 operators has no chunks and opens with nothing to expand', async () => {
    const ir = await decodeFile(OCR);
    const h = buildHierarchy(ir);
    expect(h.groupCount).toBe(1);
    expect(initialExpansion(h, 300, operatorCount(ir))).toEqual([]);
  });

  it('a scoped graph of at most 2,000 operators opens with every group expanded', () => {
    const ir = syntheticTransformer(8);
    const ops = operatorCount(ir);
    expect(ops).toBeLessThanOrEqual(EXPAND_ALL_OPERATORS);
    const h = buildHierarchy(ir);
    expect(h.groupCount).toBeGreaterThan(8);
    expect(initialExpansion(h, 300, ops)).toEqual(Array.from({ length: h.groupCount - 1 }, (_, i) => i + 1));
  });

  it('a larger graph opens at the deepest whole level within the box budget', () => {
    const ir = syntheticTransformer(200);
    const ops = operatorCount(ir);
    expect(ops).toBeGreaterThan(EXPAND_ALL_OPERATORS);
    const h = buildHierarchy(ir);
    const open = initialExpansion(h, 300, ops);
    let items = h.groupItemOffsets[1] - h.groupItemOffsets[0];
    for (const g of open) items += h.groupItemOffsets[g + 1] - h.groupItemOffsets[g];
    expect(items).toBeLessThanOrEqual(300);
    expect(open.length).toBeLessThan(h.groupCount - 1);
  });

  it('the threshold is an option: below it, big flat groups are still cut into chunks', () => {
    const ir = syntheticTransformer(8, false);
    expect(buildHierarchy(ir).groupCount).toBe(1);
    const h = buildHierarchy(ir, { chunkAboveOperators: 0 });
    expect(h.groupCount).toBeGreaterThan(1);
  });
});

describe('group names from content', () => {
  it('names chunks of a large flat graph by their ops and first/last node, never `part N`', () => {
    const ir = syntheticTransformer(120, false);
    const h = buildHierarchy(ir);
    let chunks = 0;
    for (let g = 1; g < h.groupCount; g++) {
      if (h.groupKind[g] !== GroupKind.Chunk) continue;
      chunks++;
      expect(h.groupLabel[g]).not.toMatch(/^part \d+$/);
      // `MatMul×12 → Add · first…last`
      expect(h.groupLabel[g]).toMatch(/^\S+×\d+( → \S+)?( · .+)?$/);
    }
    expect(chunks).toBeGreaterThan(2);
  });

  it('contentLabel lists up to three ops in order, else the dominant op and the last one', () => {
    const ir = graph([
      ['conv2d_45', 'Conv', ['x'], ['a']],
      ['c', 'Constant', [], ['k']],
      ['conv2d_46', 'Conv', ['a', 'k'], ['b']],
      ['conv2d_47', 'Conv', ['b'], ['c1']],
      ['up', 'Resize', ['c1'], ['y']],
    ]);
    expect(contentLabel(ir, [0, 1, 2, 3, 4])).toBe('Conv×3 → Resize · conv2d_45…up');
    expect(contentLabel(ir, [0, 4], false)).toBe('Conv → Resize');
  });

  it('scopes named after one generated layer id get a content name', () => {
    expect(isLayerIdLabel('Add1_8042')).toBe(true);
    expect(isLayerIdLabel('1234')).toBe(true);
    expect(isLayerIdLabel('attn')).toBe(false);
    expect(isLayerIdLabel('h.3')).toBe(false);
    const ir = graph([
      ['x0', 'Relu', ['in'], ['a']],
      ['Add1_8042/conv', 'Convolution', ['a'], ['b']],
      ['Add1_8042/add', 'Add', ['b', 'a'], ['c']],
      ['Add1_8101/conv', 'Convolution', ['c'], ['d']],
      ['Add1_8101/add', 'Add', ['d', 'c'], ['e']],
      ['out', 'Relu', ['e'], ['y']],
    ]);
    const h = buildHierarchy(ir);
    const g = h.groupPath.indexOf('Add1_8042');
    // (the unscoped Relu before it is adopted into the scope)
    expect(h.groupLabel[g]).toMatch(/Convolution → Add · Add1_8042$/);
  });
});

describe('layout placement', () => {
  it('a constant shared by several groups sits above its first consumer: every drawn edge points down', async () => {
    const ir = graph([
      ['/emb/Gather', 'Gather', ['ids'], ['x0']],
      ['/shared/Constant', 'Constant', [], ['k']],
      ['/h.0/Mul', 'Mul', ['x0', 'x0'], ['a0']],
      ['/h.0/Add', 'Add', ['a0', 'k'], ['x1']],
      ['/h.1/Mul', 'Mul', ['x1', 'x1'], ['a1']],
      ['/h.1/Add', 'Add', ['a1', 'k'], ['x2']],
      ['/h.2/Mul', 'Mul', ['x2', 'x2'], ['a2']],
      ['/h.2/Add', 'Add', ['a2', 'k'], ['y']],
    ]);
    for (const useElk of [false, true]) {
      const e = new LayoutEngine({ useElk });
      await e.group(ir);
      const L = await e.layout(new Uint32Array(0));
      for (let k = 0; k < L.edgeCount; k++) {
        const a = L.edgeFrom[k];
        const b = L.edgeTo[k];
        expect(L.boxY[b]).toBeGreaterThan(L.boxY[a] + L.boxH[a] - 1);
      }
      // The Constant is a node box at the root, above h.0.
      const c = L.nodeBox[1];
      expect(L.boxKind[c]).toBe(BoxKind.Node);
      expect(L.boxY[c] + L.boxH[c]).toBeLessThanOrEqual(L.boxY[L.groupBox[1]] + 1);
    }
  });
});
