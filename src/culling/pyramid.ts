import Flatbush from 'flatbush';
import { BoxKind, type ViewLayout } from '../layout/types.ts';
import type { Rect, SpatialIndex } from './spatial.ts';

/**
 * One level of the overview pyramid: what is worth drawing when a screen pixel covers about `cell / 2` to
 * `cell / 4` world units. Operator boxes (and collapsed groups) too small to see are thinned to one per
 * `cell`-sized grid cell; frames, groups and edges smaller than half a cell are dropped. Indices are in
 * drawing order, so a query needs no sort.
 */
export interface PyramidLevel {
  /** log2 of the cell size. */
  level: number;
  cell: number;
  boxes: Int32Array;
  edges: Int32Array;
  boxTree: Flatbush | null;
  edgeTree: Flatbush | null;
  boxMark: Uint8Array;
  edgeMark: Uint8Array;
}

/**
 * Level-of-detail pyramid for the dots tier: the drawn set is bounded by what the screen can show
 * (about one item per 2-4 pixels), whatever the model size. Levels are built on first use and cached.
 */
export class OverviewPyramid {
  private readonly levels = new Map<number, PyramidLevel>();

  constructor(
    private readonly layout: ViewLayout,
    private readonly index: SpatialIndex,
  ) {}

  /** Level for a world-to-screen scale: cells of 2-4 screen pixels. */
  levelFor(scale: number): number {
    return Math.ceil(Math.log2(2 / scale));
  }

  get(level: number): PyramidLevel {
    let l = this.levels.get(level);
    if (!l) {
      l = this.build(level);
      this.levels.set(level, l);
    }
    return l;
  }

  private build(level: number): PyramidLevel {
    const L = this.layout;
    const cell = 2 ** level;
    const half = cell / 2;
    const n = L.boxCount;
    const keep = new Int32Array(n);
    let kept = 0;
    const occupied = new Set<number>();
    const b = this.index.bounds;
    const cols = Math.max(1, Math.ceil((b.maxX - b.minX) / cell) + 1);
    for (let i = 0; i < n; i++) {
      const kind = L.boxKind[i];
      const w = L.boxW[i];
      const h = L.boxH[i];
      const big = w >= half && h >= half;
      if (kind === BoxKind.Frame) {
        if (big) keep[kept++] = i;
        continue;
      }
      if (kind === BoxKind.Group && big) {
        keep[kept++] = i;
        continue;
      }
      // A dot: keep the first item (in drawing order) whose centre falls in each cell.
      const cx = Math.floor((L.boxX[i] + w / 2 - b.minX) / cell);
      const cy = Math.floor((L.boxY[i] + h / 2 - b.minY) / cell);
      const key = cy * cols + cx;
      if (occupied.has(key)) continue;
      occupied.add(key);
      keep[kept++] = i;
    }
    const boxes = keep.slice(0, kept);
    let boxTree: Flatbush | null = null;
    if (kept > 0) {
      boxTree = new Flatbush(kept);
      for (let k = 0; k < kept; k++) {
        const i = boxes[k];
        // Dots are drawn at least a few pixels big: index them with a cell of margin.
        const m = L.boxKind[i] === BoxKind.Frame ? 0 : half;
        boxTree.add(L.boxX[i] - m, L.boxY[i] - m, L.boxX[i] + L.boxW[i] + m, L.boxY[i] + L.boxH[i] + m);
      }
      boxTree.finish();
    }
    const idx = this.index;
    const ekeep: number[] = [];
    for (let e = 0; e < L.edgeCount; e++) {
      if (idx.edgeMaxX[e] - idx.edgeMinX[e] >= half || idx.edgeMaxY[e] - idx.edgeMinY[e] >= half) ekeep.push(e);
    }
    const edges = Int32Array.from(ekeep);
    let edgeTree: Flatbush | null = null;
    if (edges.length > 0) {
      edgeTree = new Flatbush(edges.length);
      for (const e of edges) edgeTree.add(idx.edgeMinX[e], idx.edgeMinY[e], idx.edgeMaxX[e], idx.edgeMaxY[e]);
      edgeTree.finish();
    }
    return {
      level,
      cell,
      boxes,
      edges,
      boxTree,
      edgeTree,
      boxMark: new Uint8Array(kept),
      edgeMark: new Uint8Array(edges.length),
    };
  }

  /** Boxes of a level intersecting `r`, in drawing order; returns the count written to `out`. */
  queryBoxes(l: PyramidLevel, r: Rect, out: Int32Array): number {
    return query(l.boxTree, l.boxes, l.boxMark, r, out);
  }

  queryEdges(l: PyramidLevel, r: Rect, out: Int32Array): number {
    return query(l.edgeTree, l.edges, l.edgeMark, r, out);
  }
}

function query(tree: Flatbush | null, items: Int32Array, mark: Uint8Array, r: Rect, out: Int32Array): number {
  if (!tree) return 0;
  let hits = 0;
  tree.search(r.minX, r.minY, r.maxX, r.maxY, (k) => {
    mark[k] = 1;
    hits++;
    return false;
  });
  let n = 0;
  for (let k = 0; n < hits && k < mark.length; k++) {
    if (mark[k]) {
      mark[k] = 0;
      out[n++] = items[k];
    }
  }
  return n;
}
