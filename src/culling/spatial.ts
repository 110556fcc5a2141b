import Flatbush from 'flatbush';
import type { ViewLayout } from '../layout/types.ts';

export interface Rect {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/**
 * Spatial indexes over one ViewLayout: boxes and edge polyline bounds. Built once per layout; queries write into
 * preallocated typed arrays so a visible-set query allocates nothing proportional to the model.
 */
export class SpatialIndex {
  readonly layout: ViewLayout;
  readonly bounds: Rect;
  private readonly boxTree: Flatbush | null;
  private readonly edgeTree: Flatbush | null;
  /** Per-item marks reused by queries (so results come out in drawing order without sorting). */
  private readonly boxMark: Uint8Array;
  private readonly edgeMark: Uint8Array;
  readonly edgeMinX: Float32Array;
  readonly edgeMinY: Float32Array;
  readonly edgeMaxX: Float32Array;
  readonly edgeMaxY: Float32Array;

  constructor(layout: ViewLayout) {
    this.layout = layout;
    const n = layout.boxCount;
    const b: Rect = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    if (n > 0) {
      const tree = new Flatbush(n);
      for (let i = 0; i < n; i++) {
        const x = layout.boxX[i];
        const y = layout.boxY[i];
        const x1 = x + Math.max(0, layout.boxW[i]);
        const y1 = y + Math.max(0, layout.boxH[i]);
        tree.add(x, y, x1, y1);
        if (x < b.minX) b.minX = x;
        if (y < b.minY) b.minY = y;
        if (x1 > b.maxX) b.maxX = x1;
        if (y1 > b.maxY) b.maxY = y1;
      }
      tree.finish();
      this.boxTree = tree;
    } else {
      this.boxTree = null;
    }
    const m = layout.edgeCount;
    this.edgeMinX = new Float32Array(m);
    this.edgeMinY = new Float32Array(m);
    this.edgeMaxX = new Float32Array(m);
    this.edgeMaxY = new Float32Array(m);
    if (m > 0) {
      const tree = new Flatbush(m);
      const pts = layout.edgePoints;
      const off = layout.edgePointOffsets;
      for (let e = 0; e < m; e++) {
        let x0 = Infinity;
        let y0 = Infinity;
        let x1 = -Infinity;
        let y1 = -Infinity;
        for (let k = off[e]; k < off[e + 1]; k++) {
          const x = pts[2 * k];
          const y = pts[2 * k + 1];
          if (x < x0) x0 = x;
          if (y < y0) y0 = y;
          if (x > x1) x1 = x;
          if (y > y1) y1 = y;
        }
        if (x0 > x1) {
          // No points: fall back to the centres of its end boxes.
          x0 = y0 = x1 = y1 = 0;
          const a = layout.edgeFrom[e];
          const c = layout.edgeTo[e];
          if (a >= 0 && c >= 0) {
            const ax = layout.boxX[a] + layout.boxW[a] / 2;
            const ay = layout.boxY[a] + layout.boxH[a] / 2;
            const cx = layout.boxX[c] + layout.boxW[c] / 2;
            const cy = layout.boxY[c] + layout.boxH[c] / 2;
            x0 = Math.min(ax, cx);
            x1 = Math.max(ax, cx);
            y0 = Math.min(ay, cy);
            y1 = Math.max(ay, cy);
          }
        }
        this.edgeMinX[e] = x0;
        this.edgeMinY[e] = y0;
        this.edgeMaxX[e] = x1;
        this.edgeMaxY[e] = y1;
        tree.add(x0, y0, x1, y1);
      }
      tree.finish();
      this.edgeTree = tree;
    } else {
      this.edgeTree = null;
    }
    if (n === 0) {
      b.minX = b.minY = 0;
      b.maxX = Math.max(1, layout.width);
      b.maxY = Math.max(1, layout.height);
    }
    // The graph's input and output boxes are outside the index (drawn whole every frame) but inside the view's
    // extent, so fitting and the opening view show them.
    const band = layout.tensors;
    for (let i = 0; band && i < band.count; i++) {
      b.minX = Math.min(b.minX, band.x[i]);
      b.minY = Math.min(b.minY, band.y[i]);
      b.maxX = Math.max(b.maxX, band.x[i] + band.w[i]);
      b.maxY = Math.max(b.maxY, band.y[i] + band.h[i]);
    }
    this.bounds = b;
    this.boxMark = new Uint8Array(n);
    this.edgeMark = new Uint8Array(m);
  }

  /**
   * Boxes intersecting the rectangle, written to `out` in layout order (parents before children); returns the count.
   * `out` must hold layout.boxCount entries.
   */
  queryBoxes(r: Rect, out: Int32Array): number {
    return this.query(this.boxTree, this.layout.boxCount, this.boxMark, r, out);
  }

  /** Edges whose polyline bounds intersect the rectangle, in layout order; `out` holds layout.edgeCount entries. */
  queryEdges(r: Rect, out: Int32Array): number {
    return this.query(this.edgeTree, this.layout.edgeCount, this.edgeMark, r, out);
  }

  private activeMark: Uint8Array = new Uint8Array(0);
  private hits = 0;
  /** One callback for every search, so a per-frame query allocates no closure. */
  private readonly markHit = (i: number): boolean => {
    this.activeMark[i] = 1;
    this.hits++;
    return false;
  };

  private query(tree: Flatbush | null, count: number, mark: Uint8Array, r: Rect, out: Int32Array): number {
    if (!tree) return 0;
    const b = this.bounds;
    if (r.minX <= b.minX && r.minY <= b.minY && r.maxX >= b.maxX && r.maxY >= b.maxY) {
      for (let i = 0; i < count; i++) out[i] = i;
      return count;
    }
    this.activeMark = mark;
    this.hits = 0;
    tree.search(r.minX, r.minY, r.maxX, r.maxY, this.markHit);
    return collect(mark, this.hits, out);
  }

  /** Count of boxes of the given kinds intersecting the rectangle (kinds as a bit mask over BoxKind). */
  countBoxes(r: Rect, kindMask: number): number {
    const tree = this.boxTree;
    if (!tree) return 0;
    const kind = this.layout.boxKind;
    let count = 0;
    tree.search(r.minX, r.minY, r.maxX, r.maxY, (i) => {
      if ((1 << kind[i]) & kindMask) count++;
      return false;
    });
    return count;
  }

  /** The innermost (last drawn) box containing the point, or -1. */
  hitTest(x: number, y: number): number {
    const tree = this.boxTree;
    if (!tree) return -1;
    let best = -1;
    tree.search(x, y, x, y, (i) => {
      if (i > best) best = i;
      return false;
    });
    return best;
  }
}

/** Sweeps marked items in index order into `out`, clearing marks; stops early once all hits are found. */
function collect(mark: Uint8Array, hits: number, out: Int32Array): number {
  let k = 0;
  for (let i = 0; k < hits && i < mark.length; i++) {
    if (mark[i]) {
      mark[i] = 0;
      out[k++] = i;
    }
  }
  return k;
}
