import { BoxKind, type ViewLayout } from '../layout/types.ts';
import type { BoxTarget, EdgeTarget } from './draw/sink.ts';
import { rgba, type Theme } from './palette.ts';

/** How long the outline of a box that just changed (expand/collapse) takes to fade out. */
const PULSE_MS = 650;

/**
 * The highlight layer above the graph: the hovered box, the selected box with its edges, and a briefly pulsing
 * outline. Tiny layers (the backend's) rebuilt only when one of those changes (`dirty`), or every frame while a
 * pulse fades.
 */
export class HighlightOverlay {
  hover = -1;
  selected = -1;
  dirty = false;
  private selectedEdges: number[] = [];
  private pulseBox = -1;
  private pulseStart = 0;

  constructor(
    private boxes: BoxTarget,
    private edges: EdgeTarget,
  ) {}

  /** Draws into another backend's layers from now on (the state stays). */
  attach(boxes: BoxTarget, edges: EdgeTarget): void {
    this.boxes = boxes;
    this.edges = edges;
    this.dirty = true;
  }

  /** Forgets everything (a new layout: box ids no longer mean the same boxes). */
  reset(): void {
    this.hover = -1;
    this.selected = -1;
    this.pulseBox = -1;
    this.selectedEdges = [];
    this.dirty = true;
  }

  setHover(box: number): boolean {
    if (box === this.hover) return false;
    this.hover = box;
    this.dirty = true;
    return true;
  }

  setSelected(layout: ViewLayout | null, box: number): boolean {
    if (box === this.selected) return false;
    this.selected = box;
    this.selectedEdges = [];
    if (layout && box >= 0) {
      for (let e = 0; e < layout.edgeCount; e++)
        if (layout.edgeFrom[e] === box || layout.edgeTo[e] === box) this.selectedEdges.push(e);
    }
    this.dirty = true;
    return true;
  }

  pulse(box: number): void {
    this.pulseBox = box;
    this.pulseStart = performance.now();
    this.dirty = true;
  }

  /** A pulse is fading: the overlay changes every frame until it is gone. */
  get animating(): boolean {
    return this.pulseBox >= 0;
  }

  rebuild(layout: ViewLayout | null, nodeHeight: number, theme: Theme, ox: number, oy: number): void {
    this.dirty = false;
    const hb = this.boxes;
    const he = this.edges;
    hb.begin();
    he.begin();
    if (layout) this.emit(layout, nodeHeight, theme, ox, oy);
    hb.commit();
    he.commit();
  }

  private emit(L: ViewLayout, nodeH: number, th: Theme, ox: number, oy: number): void {
    const hb = this.boxes;
    const he = this.edges;
    const sel = rgba(th.selection, 1);
    const pts = L.edgePoints;
    const off = L.edgePointOffsets;
    for (const e of this.selectedEdges) {
      const p0 = off[e];
      const p1 = off[e + 1];
      if (p1 - p0 < 2) continue;
      for (let p = p0; p + 1 < p1; p++)
        he.segment(pts[2 * p] - ox, pts[2 * p + 1] - oy, pts[2 * p + 2] - ox, pts[2 * p + 3] - oy, sel, 1.4);
      he.arrow(pts[2 * p1 - 4] - ox, pts[2 * p1 - 3] - oy, pts[2 * p1 - 2] - ox, pts[2 * p1 - 1] - oy, sel, 9);
    }
    const outline = (b: number, color: number, px: number) => {
      if (b < 0 || b >= L.boxCount) return;
      const r = nodeH * (L.boxKind[b] === BoxKind.Node ? 0.16 : 0.24);
      hb.push(L.boxX[b] - ox, L.boxY[b] - oy, L.boxW[b], L.boxH[b], 0, rgba(color, 1), r, px);
    };
    if (this.hover !== this.selected && this.hover >= 0 && L.boxKind[this.hover] !== BoxKind.Frame)
      outline(this.hover, th.hover, 2);
    outline(this.selected, th.selection, 3);
    if (this.pulseBox >= 0) {
      const t = (performance.now() - this.pulseStart) / PULSE_MS;
      const b = this.pulseBox;
      if (t >= 1 || b >= L.boxCount) {
        this.pulseBox = -1;
      } else {
        hb.push(
          L.boxX[b] - ox,
          L.boxY[b] - oy,
          L.boxW[b],
          L.boxH[b],
          rgba(th.hover, 0.12 * (1 - t)),
          rgba(th.hover, 1 - t),
          nodeH * 0.24,
          3,
        );
      }
    }
  }
}
