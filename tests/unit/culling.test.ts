import { describe, expect, it } from 'vitest';
import { Culler } from '../../src/culling/culler.ts';
import { Tier, tierFor, typicalNodeHeight } from '../../src/culling/lod.ts';
import { OverviewPyramid } from '../../src/culling/pyramid.ts';
import { SpatialIndex } from '../../src/culling/spatial.ts';
import { BoxKind, type ViewLayout } from '../../src/layout/types.ts';

/** A frame holding a cols x rows grid of 100x40 node boxes, each wired to its right neighbour. */
function gridLayout(cols: number, rows: number): ViewLayout {
  const n = cols * rows + 1;
  const boxX = new Float32Array(n);
  const boxY = new Float32Array(n);
  const boxW = new Float32Array(n);
  const boxH = new Float32Array(n);
  const boxKind = new Uint8Array(n);
  const boxDepth = new Uint8Array(n);
  const boxRef = new Int32Array(n);
  boxW[0] = cols * 200;
  boxH[0] = rows * 100;
  boxKind[0] = BoxKind.Frame;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = 1 + r * cols + c;
      boxX[i] = c * 200 + 50;
      boxY[i] = r * 100 + 30;
      boxW[i] = 100;
      boxH[i] = 40;
      boxKind[i] = BoxKind.Node;
      boxDepth[i] = 1;
      boxRef[i] = i - 1;
    }
  }
  const from: number[] = [];
  const to: number[] = [];
  const pts: number[] = [];
  const offs: number[] = [0];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c + 1 < cols; c++) {
      const a = 1 + r * cols + c;
      from.push(a);
      to.push(a + 1);
      pts.push(boxX[a] + 100, boxY[a] + 20, boxX[a + 1], boxY[a + 1] + 20);
      offs.push(pts.length / 2);
    }
  }
  const nodeBox = new Int32Array(n - 1).map((_, i) => i + 1);
  return {
    width: cols * 200,
    height: rows * 100,
    boxCount: n,
    boxX,
    boxY,
    boxW,
    boxH,
    boxKind,
    boxDepth,
    boxRef,
    edgeCount: from.length,
    edgeFrom: Int32Array.from(from),
    edgeTo: Int32Array.from(to),
    edgeWeight: new Uint32Array(from.length).fill(1),
    edgePointOffsets: Uint32Array.from(offs),
    edgePoints: Float32Array.from(pts),
    nodeBox,
    groupBox: new Int32Array([0]),
  };
}

describe('LOD tiers', () => {
  it('follows the DESIGN.md thresholds', () => {
    expect(tierFor(0.5)).toBe(Tier.Dots);
    expect(tierFor(2.99)).toBe(Tier.Dots);
    expect(tierFor(3)).toBe(Tier.Boxes);
    expect(tierFor(11.9)).toBe(Tier.Boxes);
    expect(tierFor(12)).toBe(Tier.OpLabels);
    expect(tierFor(27.9)).toBe(Tier.OpLabels);
    expect(tierFor(28)).toBe(Tier.Full);
  });
  it('takes the typical node height from operator boxes', () => {
    expect(typicalNodeHeight(gridLayout(10, 10))).toBe(40);
  });
  it('takes the title band the layout states, even when every operator box is taller (all list rows)', () => {
    expect(typicalNodeHeight({ ...gridLayout(10, 10), nodeBand: 32 })).toBe(32);
  });
});

describe('SpatialIndex', () => {
  const layout = gridLayout(100, 100);
  const index = new SpatialIndex(layout);

  it('returns visible boxes in drawing order, parents first', () => {
    const out = new Int32Array(layout.boxCount);
    const n = index.queryBoxes({ minX: 0, minY: 0, maxX: 390, maxY: 190 }, out);
    // frame + 2x2 nodes
    expect(Array.from(out.subarray(0, n))).toEqual([0, 1, 2, 101, 102]);
  });

  it('answers repeated queries the same way (marks are cleared)', () => {
    const out = new Int32Array(layout.boxCount);
    const a = Array.from(out.subarray(0, index.queryBoxes({ minX: 1000, minY: 1000, maxX: 1500, maxY: 1300 }, out)));
    const b = Array.from(out.subarray(0, index.queryBoxes({ minX: 1000, minY: 1000, maxX: 1500, maxY: 1300 }, out)));
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(1);
  });

  it('returns everything without searching when the rect covers the model', () => {
    const out = new Int32Array(layout.boxCount);
    expect(index.queryBoxes({ minX: -1, minY: -1, maxX: 1e9, maxY: 1e9 }, out)).toBe(layout.boxCount);
    const eout = new Int32Array(layout.edgeCount);
    expect(index.queryEdges({ minX: -1, minY: -1, maxX: 1e9, maxY: 1e9 }, eout)).toBe(layout.edgeCount);
  });

  it('finds edges by their polyline bounds', () => {
    const out = new Int32Array(layout.edgeCount);
    // Between node (0,0) [50..150] and node (1,0) [250..350] at y=50.
    const n = index.queryEdges({ minX: 180, minY: 45, maxX: 200, maxY: 55 }, out);
    expect(Array.from(out.subarray(0, n))).toEqual([0]);
  });

  it('hit-tests to the innermost box', () => {
    expect(index.hitTest(60, 40)).toBe(1);
    expect(index.hitTest(10, 10)).toBe(0);
    expect(index.hitTest(-10, -10)).toBe(-1);
  });

  it('counts boxes by kind', () => {
    const r = { minX: 0, minY: 0, maxX: 390, maxY: 190 };
    expect(index.countBoxes(r, 1 << BoxKind.Node)).toBe(4);
    expect(index.countBoxes(r, 1 << BoxKind.Frame)).toBe(1);
  });

  it('handles an empty layout', () => {
    const empty = gridLayout(0, 0);
    const idx = new SpatialIndex(empty);
    expect(idx.queryBoxes({ minX: 0, minY: 0, maxX: 10, maxY: 10 }, new Int32Array(1))).toBe(1);
    expect(idx.hitTest(5, 5)).toBe(-1);
  });
});

describe('Culler', () => {
  const layout = gridLayout(300, 300); // 90k nodes
  const view = (x: number, y: number, w: number, h: number) => ({ minX: x, minY: y, maxX: x + w, maxY: y + h });

  it('rebuilds only when the view leaves the padded rect or the tier changes', () => {
    const culler = new Culler(layout);
    // scale 0.5 => node height 20 px => op-label tier
    expect(culler.update(view(10000, 10000, 2000, 1600), 0.5)).toBe(true);
    expect(culler.visible.tier).toBe(Tier.OpLabels);
    const version = culler.visible.version;
    const count = culler.visible.boxCount;
    expect(count).toBeGreaterThan(100);
    expect(count).toBeLessThan(2000);
    // small pans stay inside the margin
    expect(culler.update(view(10300, 10200, 2000, 1600), 0.5)).toBe(false);
    expect(culler.update(view(9500, 9800, 2000, 1600), 0.5)).toBe(false);
    expect(culler.visible.version).toBe(version);
    // a big pan re-queries
    expect(culler.update(view(14000, 10000, 2000, 1600), 0.5)).toBe(true);
    // crossing a tier boundary re-queries even in place
    expect(culler.update(view(14000, 10000, 2000, 1600), 0.8)).toBe(true);
    expect(culler.visible.tier).toBe(Tier.Full);
  });

  it('re-queries after zooming far in so the drawn set shrinks', () => {
    const culler = new Culler(layout, { maxOverdraw: 12 });
    culler.update(view(10000, 10000, 4000, 4000), 1);
    const before = culler.visible.boxCount;
    expect(culler.update(view(11800, 11800, 400, 400), 1)).toBe(true);
    expect(culler.visible.boxCount).toBeLessThan(before / 10);
  });

  it('keeps the set when the whole model is in view and the camera moves around it', () => {
    const small = gridLayout(10, 10);
    const culler = new Culler(small);
    expect(culler.update(view(-100, -100, 2200, 1200), 0.1)).toBe(true);
    expect(culler.visible.boxCount).toBe(small.boxCount);
    expect(culler.update(view(-400, -50, 2200, 1200), 0.1)).toBe(false);
  });

  it('visible edge set follows the view', () => {
    const culler = new Culler(layout, { margin: 0 });
    culler.update(view(0, 0, 340, 90), 1);
    expect(Array.from(culler.visible.edges.subarray(0, culler.visible.edgeCount))).toEqual([0]);
  });
});

describe('OverviewPyramid (dots tier)', () => {
  const layout = gridLayout(300, 300); // 90k nodes, 200x100 world units apart
  const index = new SpatialIndex(layout);

  it('picks cells of 2-4 screen pixels', () => {
    const p = new OverviewPyramid(layout, index);
    for (const s of [0.001, 0.01, 0.05]) {
      const cellPx = 2 ** p.levelFor(s) * s;
      expect(cellPx).toBeGreaterThanOrEqual(2);
      expect(cellPx).toBeLessThan(4);
    }
  });

  it('keeps at most one dot per cell, in drawing order, and every frame big enough to see', () => {
    const p = new OverviewPyramid(layout, index);
    const l = p.get(p.levelFor(0.002)); // cell 1024 world units: ~5x10 nodes per cell
    const nodes = Array.from(l.boxes).filter((b) => layout.boxKind[b] === BoxKind.Node);
    expect(nodes.length).toBeLessThan(90000 / 30);
    expect(nodes.length).toBeGreaterThan(90000 / 80);
    expect(Array.from(l.boxes)).toEqual([...l.boxes].sort((a, b) => a - b));
    expect(l.boxes[0]).toBe(0); // the 60000x30000 frame
    // Every node is within one cell of a kept dot (no holes in the overview).
    const kept = new Set(
      nodes.map((b) => `${Math.floor((layout.boxX[b] + 50) / l.cell)},${Math.floor((layout.boxY[b] + 20) / l.cell)}`),
    );
    for (let b = 1; b < layout.boxCount; b += 997) {
      expect(
        kept.has(`${Math.floor((layout.boxX[b] + 50) / l.cell)},${Math.floor((layout.boxY[b] + 20) / l.cell)}`),
      ).toBe(true);
    }
    // Edges of 100 world units are shorter than half a 1024 cell: dropped.
    expect(l.edges.length).toBe(0);
  });

  it('keeps everything at the finest levels', () => {
    const p = new OverviewPyramid(layout, index);
    const l = p.get(4); // 16-unit cells: every 100x40 box has its own cell
    expect(l.boxes.length).toBe(layout.boxCount);
    expect(l.edges.length).toBe(layout.edgeCount);
  });

  it('bounds what the culler returns in the dots tier, whatever the model size', () => {
    const culler = new Culler(layout);
    // Whole model (60000 x 30000) on a ~320x200 px area: scale 0.005 => 512-unit cells of 2.56 px.
    const view = { minX: -1000, minY: -2000, maxX: 63000, maxY: 38000 };
    expect(culler.update(view, 0.005)).toBe(true);
    expect(culler.visible.tier).toBe(Tier.Dots);
    expect(culler.visible.level).toBe(9);
    const cells = Math.ceil(60000 / 512) * Math.ceil(30000 / 512);
    expect(culler.visible.boxCount).toBeLessThanOrEqual(cells + 1);
    expect(culler.visible.boxCount).toBeLessThan(layout.boxCount / 8);
    // Same level, small pan: no rebuild; zooming by 2x changes the level: rebuild.
    expect(culler.update({ minX: -900, minY: -1900, maxX: 63100, maxY: 38100 }, 0.0052)).toBe(false);
    expect(culler.update(view, 0.011)).toBe(true);
    expect(culler.visible.level).toBe(8);
  });

  it('is not used outside the dots tier', () => {
    const culler = new Culler(layout);
    culler.update({ minX: 0, minY: 0, maxX: 2000, maxY: 1000 }, 0.5);
    expect(culler.visible.level).toBeNull();
  });
});
