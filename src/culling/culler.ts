import type { ViewLayout } from '../layout/types.ts';
import { Tier, tierFor, typicalNodeHeight } from './lod.ts';
import { OverviewPyramid } from './pyramid.ts';
import { SpatialIndex, type Rect } from './spatial.ts';

export interface VisibleSet {
  /** Box indices in drawing order; the first `boxCount` entries are valid. */
  boxes: Int32Array;
  boxCount: number;
  edges: Int32Array;
  edgeCount: number;
  tier: Tier;
  /** The padded world rectangle the set was queried for. */
  rect: Rect;
  /** World-to-screen scale at query time (labels and dot decimation depend on it). */
  scale: number;
  /** Overview pyramid level used (dots tier), or null when the set is every box in the rect. */
  level: number | null;
  /** Bumped whenever the set or tier changes: draw data is rebuilt only then. */
  version: number;
}

export interface CullerOptions {
  /** Extra margin around the view, as a fraction of the view size on each side. */
  margin?: number;
  /** Re-query when the padded rect's area exceeds the view area by this factor (after zooming in). */
  maxOverdraw?: number;
  /** Use the overview pyramid in the dots tier (default true). */
  pyramid?: boolean;
}

/**
 * Decides when the draw data must change. Pan/zoom inside the padded rectangle at the same tier keeps the set;
 * leaving it, zooming far in, or crossing a tier boundary re-queries.
 */
export class Culler {
  readonly index: SpatialIndex;
  readonly nodeHeight: number;
  readonly visible: VisibleSet;
  private readonly margin: number;
  private readonly maxOverdraw: number;
  readonly pyramid: OverviewPyramid | null;
  private valid = false;

  constructor(layout: ViewLayout, options: CullerOptions = {}, index?: SpatialIndex) {
    this.index = index ?? new SpatialIndex(layout);
    this.nodeHeight = typicalNodeHeight(layout);
    this.margin = options.margin ?? 0.5;
    this.maxOverdraw = options.maxOverdraw ?? 12;
    this.pyramid = options.pyramid === false ? null : new OverviewPyramid(layout, this.index);
    this.visible = {
      boxes: new Int32Array(layout.boxCount),
      boxCount: 0,
      edges: new Int32Array(layout.edgeCount),
      edgeCount: 0,
      tier: Tier.Dots,
      rect: { minX: 0, minY: 0, maxX: 0, maxY: 0 },
      scale: 1,
      level: null,
      version: 0,
    };
  }

  tierAt(scale: number): Tier {
    return tierFor(this.nodeHeight * scale);
  }

  /** Forces the next update() to re-query. */
  invalidate(): void {
    this.valid = false;
  }

  /**
   * `view` is the world rectangle on screen, `scale` screen pixels per world unit. Returns true when the visible
   * set or tier changed (the caller then rebuilds its draw data).
   */
  update(view: Rect, scale: number): boolean {
    const tier = this.tierAt(scale);
    const v = this.visible;
    // In the dots tier the drawn set is a pyramid level, which depends on the scale.
    const level = tier === Tier.Dots && this.pyramid ? this.pyramid.levelFor(scale) : null;
    if (this.valid && tier === v.tier && level === v.level && this.covers(view)) return false;
    const w = view.maxX - view.minX;
    const h = view.maxY - view.minY;
    const r = v.rect;
    r.minX = view.minX - w * this.margin;
    r.minY = view.minY - h * this.margin;
    r.maxX = view.maxX + w * this.margin;
    r.maxY = view.maxY + h * this.margin;
    if (level !== null && this.pyramid) {
      const l = this.pyramid.get(level);
      v.boxCount = this.pyramid.queryBoxes(l, r, v.boxes);
      v.edgeCount = this.pyramid.queryEdges(l, r, v.edges);
    } else {
      v.boxCount = this.index.queryBoxes(r, v.boxes);
      v.edgeCount = this.index.queryEdges(r, v.edges);
    }
    v.level = level;
    v.tier = tier;
    v.scale = scale;
    v.version++;
    this.valid = true;
    return true;
  }

  /** Whether the current set still answers for this view: inside the padded rect and not zoomed in too far. */
  private covers(view: Rect): boolean {
    const r = this.visible.rect;
    const b = this.index.bounds;
    // Only the part of the view that overlaps the model matters.
    const x0 = Math.max(view.minX, b.minX);
    const y0 = Math.max(view.minY, b.minY);
    const x1 = Math.min(view.maxX, b.maxX);
    const y1 = Math.min(view.maxY, b.maxY);
    if (x0 > x1 || y0 > y1) {
      // Looking at empty space: the old set is still right unless it had something in view.
      return this.visible.boxCount === 0;
    }
    if (x0 < r.minX || y0 < r.minY || x1 > r.maxX || y1 > r.maxY) return false;
    const viewArea = Math.max(1e-9, (view.maxX - view.minX) * (view.maxY - view.minY));
    const rectArea =
      Math.max(0, Math.min(r.maxX, b.maxX) - Math.max(r.minX, b.minX)) *
      Math.max(0, Math.min(r.maxY, b.maxY) - Math.max(r.minY, b.minY));
    return rectArea <= viewArea * this.maxOverdraw;
  }
}
