import type { Rect, SpatialIndex } from '../culling/spatial.ts';
import { BoxKind, type ViewLayout } from '../layout/types.ts';

export interface VisibleCounts {
  /** ops + groups. */
  nodes: number;
  ops: number;
  groups: number;
}

/** How long after a frame a moving camera may be answered with the previous count. */
const STALE_MS = 250;

/**
 * Counts the operator and collapsed-group boxes on screen, for `strata.state()` and the status bar. Exact;
 * cached per view, and O(1) when the whole model is on screen (the totals are counted once per layout).
 */
export class VisibleCounter {
  private cache: { layout: ViewLayout; rect: Rect; counts: VisibleCounts } | null = null;
  private totals: { layout: ViewLayout; ops: number; groups: number } | null = null;
  private lastFrameAt = 0;

  /** A frame was drawn (stale answers are allowed only shortly after one). */
  frameDrawn(): void {
    this.lastFrameAt = performance.now();
  }

  count(L: ViewLayout, index: SpatialIndex, view: Rect, allowStale: boolean): VisibleCounts {
    const c = this.cache;
    if (c && c.layout === L) {
      const same =
        c.rect.minX === view.minX &&
        c.rect.minY === view.minY &&
        c.rect.maxX === view.maxX &&
        c.rect.maxY === view.maxY;
      if (same || (allowStale && performance.now() - this.lastFrameAt < STALE_MS)) return c.counts;
    }
    const b = index.bounds;
    let ops: number;
    let groups: number;
    if (view.minX <= b.minX && view.minY <= b.minY && view.maxX >= b.maxX && view.maxY >= b.maxY) {
      const t = this.totalsOf(L);
      ops = t.ops;
      groups = t.groups;
    } else {
      ops = index.countBoxes(view, 1 << BoxKind.Node);
      groups = index.countBoxes(view, 1 << BoxKind.Group);
    }
    const counts = { nodes: ops + groups, ops, groups };
    this.cache = { layout: L, rect: view, counts };
    return counts;
  }

  private totalsOf(L: ViewLayout): { ops: number; groups: number } {
    if (this.totals?.layout !== L) {
      let ops = 0;
      let groups = 0;
      for (let i = 0; i < L.boxCount; i++) {
        if (L.boxKind[i] === BoxKind.Node) ops++;
        else if (L.boxKind[i] === BoxKind.Group) groups++;
      }
      this.totals = { layout: L, ops, groups };
    }
    return this.totals;
  }
}
