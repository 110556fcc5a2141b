import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Controller } from '../../src/app/controller.ts';
import type { WorkerPool } from '../../src/app/load.ts';
import { ModelView, initialExpansion } from '../../src/app/model.ts';
import { decodeFile } from '../../src/decode/decode-file.ts';
import type { Hierarchy } from '../../src/graph/hierarchy/types.ts';
import { str, type GraphIR } from '../../src/graph/ir.ts';
import { LayoutEngine } from '../../src/layout/engine.ts';
import type { ViewLayout } from '../../src/layout/types.ts';
import type { Scene } from '../../src/scene/scene.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SAMPLE = resolve(here, '../../samples/gpt-tiny.onnx');

let ir: GraphIR;
let h: Hierarchy;
let model: ModelView;
let engine: LayoutEngine;

beforeAll(async () => {
  ir = await decodeFile(SAMPLE);
  engine = new LayoutEngine({ useElk: false });
  h = await engine.group(ir);
  model = new ModelView(ir, h, 'gpt-tiny.onnx');
});

/** Items drawn inside a group when it is open: its child groups and its own nodes. */
const itemsOf = (g: number) => h.groupItemOffsets[g + 1] - h.groupItemOffsets[g];

describe('ModelView (samples/gpt-tiny.onnx)', () => {
  it('counts the main graph and the groups without the root', () => {
    expect(model.mainNodeCount).toBe(537);
    expect(model.groupCount).toBe(h.groupCount - 1);
    expect(model.groupLabel(0)).toBe(h.groupLabel[0] || 'gpt-tiny.onnx');
  });

  it('searches names, op types and tensors: exact, then prefix, then substring, each in model order', () => {
    expect(model.search('   ')).toEqual([]);
    const matmul = model.search('MatMul');
    expect(matmul.length).toBeGreaterThan(0);
    // Case-insensitive; every node whose op is MatMul and whose name does not contain the query matches by op.
    const byOp = matmul.filter((m) => m.field === 'op');
    expect(byOp.every((m) => m.op === 'MatMul' && m.kind === 'node')).toBe(true);
    const rank = (m: (typeof matmul)[number]) => {
      const text = (m.field === 'op' ? m.op : m.name).toLowerCase();
      return text === 'matmul' ? 0 : text.startsWith('matmul') ? 1 : 2;
    };
    const ranks = matmul.map(rank);
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    for (let i = 1; i < matmul.length; i++) {
      if (ranks[i] === ranks[i - 1] && matmul[i].kind === matmul[i - 1].kind)
        expect(matmul[i].node).toBeGreaterThanOrEqual(matmul[i - 1].node);
    }
    expect(model.search('MatMul', 3).length).toBe(3);
  });

  it('finds tensors by name and points them at their producer, skipping tensors named like it', () => {
    let value = -1;
    for (let v = 0; v < ir.valueCount && value < 0; v++) {
      const p = ir.valueProducer[v];
      if (p >= 0 && str(ir, ir.valueName[v]) && str(ir, ir.valueName[v]) !== model.nodeName(p)) value = v;
    }
    expect(value).toBeGreaterThanOrEqual(0);
    const name = str(ir, ir.valueName[value]);
    const hit = model.search(name).find((m) => m.kind === 'tensor' && m.value === value)!;
    expect(hit).toMatchObject({ field: 'tensor', name, node: ir.valueProducer[value] });
    expect(model.findNode(name)).toBe(model.findNode(model.nodeName(ir.valueProducer[value])));
    expect(model.search('').length).toBe(0);
    expect(model.findNode('no such thing')).toBe(-1);
  });

  it('maps every group path back to its group', () => {
    for (let g = 0; g < h.groupCount; g++) expect(model.groupOfPath(h.groupPath[g])).toBe(g);
    expect(model.groupOfPath('no/such/path')).toBe(-1);
    const deepest = h.groupDepth.indexOf(Math.max(...h.groupDepth));
    const chain = model.ancestors(deepest);
    expect(chain[0]).toBe(deepest);
    expect(chain.length).toBe(h.groupDepth[deepest]);
    for (let i = 1; i < chain.length; i++) expect(h.groupParent[chain[i - 1]]).toBe(chain[i]);
  });
});

describe('initialExpansion', () => {
  it('opens whole depth levels, top-down, while the drawn items fit the budget', () => {
    for (const budget of [0, 10, 40, 320, 1e9]) {
      const open = initialExpansion(h, budget);
      const set = new Set(open);
      let items = itemsOf(0);
      for (const g of open) items += itemsOf(g);
      if (open.length) expect(items).toBeLessThanOrEqual(budget);
      // Whole levels: every group of a depth is open or none is; levels are opened from the top.
      const depths = new Set(open.map((g) => h.groupDepth[g]));
      for (let g = 1; g < h.groupCount; g++) expect(set.has(g)).toBe(depths.has(h.groupDepth[g]));
      const maxDepth = Math.max(0, ...depths);
      for (let d = 1; d <= maxDepth; d++) expect(depths.has(d)).toBe(true);
    }
    expect(initialExpansion(h, 1e9).length).toBe(h.groupCount - 1);
    expect(initialExpansion(h, 0)).toEqual([]);
  });
});

describe('Controller.setExpanded', () => {
  function controllerWithFakes() {
    const requested: number[][] = [];
    const shown: (ViewLayout | null)[] = [];
    const scene = {
      setLayout: (layout: ViewLayout | null) => shown.push(layout),
      nextFrame: () => Promise.resolve(),
      pulse: () => {},
      setSelected: () => {},
      focusBox: () => {},
      countVisible: () => ({ nodes: 5, ops: 4, groups: 1 }),
      getCamera: () => ({ x: 1, y: 2, zoom: 3 }),
      stats: { drawCalls: 4 },
      tier: 1,
      glRenderer: 'fake',
    };
    const pool = {
      layout: {
        layout: (expanded: Uint32Array) => {
          requested.push(Array.from(expanded));
          return engine.layout(expanded);
        },
      },
    };
    const ctl = new Controller(scene as unknown as Scene, pool as unknown as WorkerPool);
    ctl.model = model;
    ctl.status = 'ready';
    return { ctl, requested, shown };
  }

  it('keeps only groups whose ancestors are all expanded, and ignores the root and unknown ids', async () => {
    const { ctl, requested, shown } = controllerWithFakes();
    const deep = h.groupDepth.indexOf(Math.max(...h.groupDepth));
    expect(h.groupDepth[deep]).toBeGreaterThanOrEqual(2);
    // The deep group without its parent: dropped. Root (0), negative and out-of-range ids: ignored.
    await ctl.setExpanded([deep, 0, -3, h.groupCount + 5], 'keep');
    expect(requested.at(-1)).toEqual([]);
    expect(ctl.expanded.size).toBe(0);
    // With the whole chain of ancestors it is kept, in id order.
    const chain = model.ancestors(deep);
    await ctl.setExpanded(chain, 'keep');
    expect(requested.at(-1)).toEqual([...chain].sort((a, b) => a - b));
    expect(ctl.expanded).toEqual(new Set(chain));
    expect(shown.at(-1)).toBe(ctl.layout);
    expect(ctl.busy).toBe(false);
  });

  it('toggles a group with its ancestors and collapses it again, and rejects unknown paths', async () => {
    const { ctl } = controllerWithFakes();
    const deep = h.groupDepth.indexOf(Math.max(...h.groupDepth));
    await ctl.toggleGroup(deep);
    expect(ctl.expanded).toEqual(new Set(model.ancestors(deep)));
    await ctl.toggleGroup(deep);
    expect(ctl.expanded.has(deep)).toBe(false);
    expect(ctl.expanded.has(h.groupParent[deep])).toBe(true);
    await expect(ctl.expandPath('no/such/path')).rejects.toThrow('no group with path');
    await ctl.expandPath(h.groupPath[deep]);
    expect(ctl.expanded.has(deep)).toBe(true);
  });

  it('builds the automation state in one place, with the profile state merged in', async () => {
    const { ctl } = controllerWithFakes();
    await ctl.collapseAll();
    let s = ctl.state();
    expect(s).toMatchObject({
      status: 'ready',
      nodes: 537,
      groups: h.groupCount - 1,
      expanded: 0,
      visibleNodes: 5,
      visibleOps: 4,
      visibleGroups: 1,
      drawCalls: 4,
      tier: 'boxes',
      camera: { x: 1, y: 2, zoom: 3 },
      file: 'gpt-tiny.onnx',
      renderer: 'fake',
      colorMode: 'category',
      profile: null,
      metrics: null,
    });
    expect(s.boxes).toBe(ctl.layout!.boxCount);
    ctl.profileState = () => ({
      colorMode: 'flops',
      profile: { mappedNodes: 3, totalMs: 1.5 },
      metrics: { params: 10, flops: 20 },
    });
    s = ctl.state();
    expect(s).toMatchObject({
      colorMode: 'flops',
      profile: { mappedNodes: 3, totalMs: 1.5 },
      metrics: { params: 10, flops: 20 },
    });
  });
});
