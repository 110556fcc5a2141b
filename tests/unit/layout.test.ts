import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { stripNames, syntheticTransformer } from '../../bench/models.ts';
import { decodeFile } from '../../src/decode/decode-file.ts';
import type { Hierarchy } from '../../src/graph/hierarchy/types.ts';
import type { GraphIR } from '../../src/graph/ir.ts';
import { LayoutEngine } from '../../src/layout/engine.ts';
import { fastLayout, isotonicPlace } from '../../src/layout/fast-layout.ts';
import { FRAME_TITLE, type GroupGraph } from '../../src/layout/group-graph.ts';
import { splitLongEdges } from '../../src/layout/long-edges.ts';
import { hierarchyTransferCopy, viewLayoutTransferList } from '../../src/layout/transfer.ts';
import { BoxKind, type ViewLayout } from '../../src/layout/types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const GPT_10K = resolve(here, '../../../shared/models/onnx/gpt_decoder_10k.onnx');
const EPS = 0.5;

/** Layout invariants; collects problems so loops over 10k boxes stay fast. */
function checkScene(s: ViewLayout, h: Hierarchy, ir: GraphIR, open: Set<number>): void {
  const problems: string[] = [];
  const fail = (msg: string) => {
    if (problems.length < 20) problems.push(msg);
  };
  // Container of each box: the frame of the group holding its item (-1 for the root's items).
  const container = new Int32Array(s.boxCount).fill(-2);
  for (let b = 0; b < s.boxCount; b++) {
    const kind = s.boxKind[b];
    const ref = s.boxRef[b];
    const g = kind === BoxKind.Node ? h.nodeGroup[ref] : h.groupParent[ref];
    container[b] = g === 0 ? -1 : s.groupBox[g];
    if (kind === BoxKind.Node && s.nodeBox[ref] !== b) fail(`nodeBox of ${ref}`);
    if (kind !== BoxKind.Node && s.groupBox[ref] !== b) fail(`groupBox of ${ref}`);
    if ((kind === BoxKind.Frame) !== open.has(ref) && kind !== BoxKind.Node) fail(`kind of group box ${b}`);
    const c = container[b];
    if (c >= 0) {
      // Parents first, children inside the frame, below its title bar.
      if (c >= b) fail(`frame ${c} after child ${b}`);
      if (
        s.boxX[b] < s.boxX[c] - EPS ||
        s.boxX[b] + s.boxW[b] > s.boxX[c] + s.boxW[c] + EPS ||
        s.boxY[b] < s.boxY[c] + FRAME_TITLE - EPS ||
        s.boxY[b] + s.boxH[b] > s.boxY[c] + s.boxH[c] + EPS
      ) {
        fail(`box ${b} outside frame ${c}`);
      }
    } else if (
      c === -2 ||
      s.boxX[b] < -EPS ||
      s.boxY[b] < -EPS ||
      s.boxX[b] + s.boxW[b] > s.width + EPS ||
      s.boxY[b] + s.boxH[b] > s.height + EPS
    ) {
      fail(`root box ${b} outside the scene`);
    }
  }
  // No two siblings overlap: sweep each container's boxes by x.
  const byContainer = new Map<number, number[]>();
  for (let b = 0; b < s.boxCount; b++) {
    let list = byContainer.get(container[b]);
    if (!list) byContainer.set(container[b], (list = []));
    list.push(b);
  }
  for (const list of byContainer.values()) {
    list.sort((a, b) => s.boxX[a] - s.boxX[b]);
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      for (let j = i + 1; j < list.length && s.boxX[list[j]] < s.boxX[a] + s.boxW[a] - EPS; j++) {
        const b = list[j];
        if (s.boxY[b] < s.boxY[a] + s.boxH[a] - EPS && s.boxY[a] < s.boxY[b] + s.boxH[b] - EPS)
          fail(`boxes ${a} and ${b} overlap`);
      }
    }
  }
  // Nodes: visible as a box exactly when every ancestor is open.
  for (let v = 0; v < ir.nodeCount; v++) {
    let visible = true;
    for (let g = h.nodeGroup[v]; g > 0 && visible; g = h.groupParent[g]) visible = open.has(g);
    if (visible !== s.nodeBox[v] >= 0) fail(`node ${v} visibility`);
  }
  // Edges: both ends visible (nodes or collapsed groups, never frames), polyline starts/ends on them.
  const near = (b: number, x: number, y: number) =>
    x >= s.boxX[b] - 2 && x <= s.boxX[b] + s.boxW[b] + 2 && y >= s.boxY[b] - 2 && y <= s.boxY[b] + s.boxH[b] + 2;
  const pairs = new Set<string>();
  for (let e = 0; e < s.edgeCount; e++) {
    const a = s.edgeFrom[e];
    const b = s.edgeTo[e];
    if (a < 0 || b < 0 || a >= s.boxCount || b >= s.boxCount || a === b) fail(`edge ${e} ends`);
    if (s.boxKind[a] === BoxKind.Frame || s.boxKind[b] === BoxKind.Frame) fail(`edge ${e} on a frame`);
    if (s.edgeWeight[e] < 1) fail(`edge ${e} weight`);
    const p0 = s.edgePointOffsets[e];
    const p1 = s.edgePointOffsets[e + 1];
    if (p1 - p0 < 2) fail(`edge ${e} has ${p1 - p0} points`);
    if (!near(a, s.edgePoints[2 * p0], s.edgePoints[2 * p0 + 1])) fail(`edge ${e} does not start on box ${a}`);
    if (!near(b, s.edgePoints[2 * p1 - 2], s.edgePoints[2 * p1 - 1])) fail(`edge ${e} does not end on box ${b}`);
    const key = `${a}>${b}`;
    if (pairs.has(key)) fail(`edge pair ${key} twice`);
    pairs.add(key);
  }
  expect(problems).toEqual([]);
}

const ancestors = (h: Hierarchy, g: number) => {
  const out: number[] = [];
  for (let x = g; x > 0; x = h.groupParent[x]) out.push(x);
  return out;
};

describe('layout of a real GPT export', () => {
  let ir: GraphIR;
  let engine: LayoutEngine;
  let h: Hierarchy;
  let paths: Map<string, number>;
  beforeAll(async () => {
    ir = await decodeFile(GPT_10K);
    engine = new LayoutEngine();
    h = await engine.group(ir);
    paths = new Map(h.groupPath.map((p, i) => [p, i]));
  });

  it('lays out the collapsed view: one box per top-level item', async () => {
    const s = await engine.layout(new Uint32Array(0));
    checkScene(s, h, ir, new Set([0]));
    expect(s.boxCount).toBe(h.groupItemOffsets[1]);
    expect(s.groupBox[0]).toBe(-1);
    // Edges between collapsed blocks are aggregated: weights add up to the IR edges between different boxes.
    const total = s.edgeWeight.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(s.edgeCount);
  });

  it('expands a block and reuses layouts of identical blocks', async () => {
    const h3 = paths.get('h.3')!;
    const h4 = paths.get('h.4')!;
    const attn3 = paths.get('h.3/attn')!;
    const attn4 = paths.get('h.4/attn')!;
    const first = await engine.layout(Uint32Array.of(h3, attn3));
    checkScene(first, h, ir, new Set([0, h3, attn3]));
    expect(engine.lastStats.elkCalls + engine.lastStats.fastCalls + engine.lastStats.stableCalls).toBeLessThanOrEqual(
      3,
    );

    const open = [h3, attn3, h4, attn4];
    const s = await engine.layout(Uint32Array.from(open));
    checkScene(s, h, ir, new Set([0, ...open]));
    // h.4 has the same structure and expansion as h.3: taken from the cache, only the root is new.
    expect(engine.lastStats.cacheHits).toBe(4);
    expect(engine.lastStats.elkCalls + engine.lastStats.fastCalls + engine.lastStats.stableCalls).toBe(1);
    const b3 = s.groupBox[h3];
    const b4 = s.groupBox[h4];
    expect(s.boxW[b3]).toBe(s.boxW[b4]);
    expect(s.boxH[b3]).toBe(s.boxH[b4]);
    // Same relative placement of corresponding children.
    const rel = (g: number, frame: number) => {
      const out: number[] = [];
      for (let k = h.groupItemOffsets[g]; k < h.groupItemOffsets[g + 1]; k++) {
        const item = h.groupItems[k];
        const b = item >= 0 ? s.nodeBox[item] : s.groupBox[-1 - item];
        out.push(s.boxX[b] - s.boxX[frame], s.boxY[b] - s.boxY[frame]);
      }
      return out;
    };
    expect(rel(attn4, s.groupBox[attn4])).toEqual(rel(attn3, s.groupBox[attn3]));
  });

  it('re-lays out only the ancestors of the group that changed', async () => {
    const mlp3 = paths.get('h.3/mlp')!;
    const open = [paths.get('h.3')!, paths.get('h.3/attn')!, mlp3];
    await engine.layout(Uint32Array.from(open));
    // New: mlp (its first layout), h.3 (a child changed size), root. attn is cached.
    const st = engine.lastStats;
    expect(st.elkCalls + st.fastCalls + st.stableCalls).toBe(ancestors(h, mlp3).length + 1);
    expect(st.cacheHits).toBe(1);
  });

  it('expands everything (fast layout) with all invariants', async () => {
    const fast = new LayoutEngine({ useElk: false });
    const hf = await fast.group(ir);
    const all = Uint32Array.from({ length: hf.groupCount }, (_, i) => i);
    const s = await fast.layout(all);
    checkScene(s, hf, ir, new Set(all));
    let nodes = 0;
    for (let b = 0; b < s.boxCount; b++) if (s.boxKind[b] === BoxKind.Node) nodes++;
    expect(nodes).toBe(ir.nodeCount);
    // Every IR edge is drawn (weights add up to all node-to-node edges).
    let irEdges = 0;
    for (let v = 0; v < ir.nodeCount; v++) {
      for (let k = ir.nodeInputOffsets[v]; k < ir.nodeInputOffsets[v + 1]; k++) {
        const val = ir.nodeInputs[k];
        if (val >= 0 && ir.valueProducer[val] >= 0 && ir.valueProducer[val] !== v) irEdges++;
      }
    }
    expect(s.edgeWeight.reduce((a, b) => a + b, 0)).toBe(irEdges);
    // Same expansion again comes entirely from the cache.
    await fast.layout(all);
    expect(fast.lastStats.cacheHits).toBe(hf.groupCount);
  });

  it('lays out the flat (name-stripped) model through its structural groups', async () => {
    const flat = stripNames(ir);
    const e = new LayoutEngine({ useElk: false });
    const hf = await e.group(flat);
    const s0 = await e.layout(new Uint32Array(0));
    checkScene(s0, hf, flat, new Set([0]));
    expect(s0.boxCount).toBeLessThanOrEqual(150);
    const firstChunk = hf.groupChildren[hf.groupChildOffsets[0]];
    const s1 = await e.layout(Uint32Array.of(firstChunk));
    checkScene(s1, hf, flat, new Set([0, firstChunk]));
  });
});

describe('layout building blocks', () => {
  const graph = (n: number, edges: [number, number][], width = 80): GroupGraph => ({
    itemCount: n,
    width: new Float64Array(n).fill(width),
    height: new Float64Array(n).fill(32),
    edgeCount: edges.length,
    edgeSrc: Uint32Array.from(edges, (e) => e[0]),
    edgeDst: Uint32Array.from(edges, (e) => e[1]),
  });

  it('fast layout: layered top-down, no overlaps, handles cycles', () => {
    const g = graph(6, [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 1],
      [0, 4],
      [4, 5],
      [5, 3],
    ]);
    const r = fastLayout(g);
    for (let i = 0; i < 6; i++) {
      for (let j = i + 1; j < 6; j++) {
        const overlap = r.x[i] < r.x[j] + 80 && r.x[j] < r.x[i] + 80 && r.y[i] < r.y[j] + 32 && r.y[j] < r.y[i] + 32;
        expect(overlap).toBe(false);
      }
    }
    expect(r.y[1]).toBeGreaterThan(r.y[0]);
    expect(r.y[2]).toBeGreaterThan(r.y[1]);
    expect(r.routeOffsets[g.edgeCount] - r.routeOffsets[0]).toBeGreaterThanOrEqual(2 * g.edgeCount);
  });

  it('fast layout scales linearly: 20k-item chain with skips, no stack overflow', () => {
    const edges: [number, number][] = [];
    for (let i = 1; i < 20_000; i++) {
      edges.push([i - 1, i]);
      if (i % 7 === 0) edges.push([i - 5, i]);
    }
    const t = performance.now();
    const r = fastLayout(graph(20_000, edges));
    expect(performance.now() - t).toBeLessThan(5_000);
    expect(r.height).toBeGreaterThan(0);
  });

  it('isotonic placement keeps order and gaps', () => {
    const out = isotonicPlace(Float64Array.of(10, 0, 5), Float64Array.of(0, 20, 20));
    expect(out[1] - out[0]).toBeGreaterThanOrEqual(20 - 1e-9);
    expect(out[2] - out[1]).toBeGreaterThanOrEqual(20 - 1e-9);
  });

  it('takes broadcast edges out of the layered layout', () => {
    // 0 feeds every item of a 40-long chain: without splitting that is ~800 dummy vertices.
    const edges: [number, number][] = [];
    for (let i = 2; i < 41; i++) edges.push([i - 1, i]);
    for (let i = 1; i < 41; i++) edges.push([0, i]);
    const { kept, dropped } = splitLongEdges(graph(41, edges));
    expect(dropped.length).toBeGreaterThan(30);
    expect(kept.edgeCount + dropped.length).toBe(edges.length);
  });

  it('falls back to the fast layout for groups above the ELK size limit', async () => {
    const ir = syntheticTransformer(4);
    const e = new LayoutEngine({ elkMaxItems: 1 });
    const h = await e.group(ir);
    const all = Uint32Array.from({ length: h.groupCount }, (_, i) => i);
    const s = await e.layout(all);
    expect(e.lastStats.elkCalls).toBe(0);
    checkScene(s, h, ir, new Set(all));
  });

  it('spends no ELK time on a layout whose budget is 0', async () => {
    const ir = syntheticTransformer(4);
    const e = new LayoutEngine();
    const h = await e.group(ir);
    const all = Uint32Array.from({ length: h.groupCount }, (_, i) => i);
    const s = await e.layout(all, 0);
    expect(e.lastStats.elkCalls).toBe(0);
    expect(e.lastStats.elkMs).toBe(0);
    checkScene(s, h, ir, new Set(all));
  });

  it('serialises overlapping calls and ignores groups under a collapsed ancestor', async () => {
    const ir = syntheticTransformer(6);
    const e = new LayoutEngine();
    // Not awaited in between: the worker may receive requests while ELK is still busy.
    const hp = e.group(ir);
    const h = await hp;
    const attn = h.groupPath.indexOf('blocks.2/attn');
    const block = h.groupParent[attn];
    const [hidden, shown] = await Promise.all([e.layout(Uint32Array.of(attn)), e.layout(Uint32Array.of(block, attn))]);
    checkScene(hidden, h, ir, new Set([0]));
    expect(hidden.groupBox[attn]).toBe(-1);
    checkScene(shown, h, ir, new Set([0, block, attn]));
    expect(shown.boxKind[shown.groupBox[attn]]).toBe(BoxKind.Frame);
  });

  it('copies the hierarchy for transfer and lists scene buffers', async () => {
    const ir = syntheticTransformer(3);
    const e = new LayoutEngine({ useElk: false });
    const h = await e.group(ir);
    const { hierarchy, transfer } = hierarchyTransferCopy(h);
    expect(hierarchy.groupParent).not.toBe(h.groupParent);
    expect(Array.from(hierarchy.groupParent)).toEqual(Array.from(h.groupParent));
    expect(transfer.length).toBeGreaterThan(5);
    const s = await e.layout(new Uint32Array(0));
    expect(viewLayoutTransferList(s).length).toBeGreaterThanOrEqual(10);
  });
});
