import { BoxKind, type ViewLayout } from '../layout/types.ts';
import type { Rect } from '../culling/spatial.ts';
import type { Theme } from './palette.ts';

/** Mark colours (0xRRGGBB, -1 for none) per node and per group, indexed like the layout's box references. */
export interface MinimapMarks {
  node: Int32Array;
  group: Int32Array;
}

/**
 * Marks over the rasterised overview: each marked node or collapsed-group box gets an opaque square of at least
 * `minPx` device pixels, so a single changed node in a 100k-node model still shows as a spot.
 */
function paintMarks(
  d: Uint8ClampedArray,
  W: number,
  H: number,
  layout: ViewLayout,
  marks: MinimapMarks,
  sx: number,
  ox: number,
  oy: number,
  minPx: number,
): void {
  for (let i = 0; i < layout.boxCount; i++) {
    const kind = layout.boxKind[i];
    const ref = layout.boxRef[i];
    const col = kind === BoxKind.Node ? marks.node[ref] : kind === BoxKind.Group ? marks.group[ref] : -1;
    if (col === undefined || col < 0) continue;
    const cx = (layout.boxX[i] + layout.boxW[i] / 2) * sx + ox;
    const cy = (layout.boxY[i] + layout.boxH[i] / 2) * sx + oy;
    const hw = Math.max(minPx, layout.boxW[i] * sx) / 2;
    const hh = Math.max(minPx, layout.boxH[i] * sx) / 2;
    const x0 = Math.max(0, Math.floor(cx - hw));
    const x1 = Math.min(W - 1, Math.ceil(cx + hw) - 1);
    const y0 = Math.max(0, Math.floor(cy - hh));
    const y1 = Math.min(H - 1, Math.ceil(cy + hh) - 1);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0, q = (y * W + x0) * 4; x <= x1; x++, q += 4) {
        d[q] = (col >> 16) & 255;
        d[q + 1] = (col >> 8) & 255;
        d[q + 2] = col & 255;
        d[q + 3] = 255;
      }
    }
  }
}

/**
 * Overview in a small 2D canvas: group-level boxes drawn once per layout into a cached bitmap, then each camera
 * change costs one drawImage and one rectangle. Dragging on it moves the camera.
 */
export class Minimap {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private cache: HTMLCanvasElement | null = null;
  private layout: ViewLayout | null = null;
  private bounds: Rect = { minX: 0, minY: 0, maxX: 1, maxY: 1 };
  private scale = 1;
  private offX = 0;
  private offY = 0;
  private theme: Theme;
  private lastView: Rect | null = null;
  private dragging = false;
  private marks: MinimapMarks | null = null;
  /** Called with a layout-space point the camera should centre on. */
  onNavigate: ((x: number, y: number) => void) | null = null;

  constructor(
    parent: HTMLElement,
    theme: Theme,
    readonly width = 200,
    readonly height = 150,
  ) {
    this.theme = theme;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'minimap';
    this.canvas.title = 'Overview: drag to move the view';
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    // CPU-backed canvases (here and the cache): a small image drawn a few times per second is cheaper in software
    // than through the accelerated 2D canvas, whose first use stalls the next frames on software GL (SwiftShader).
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('2D canvas unavailable');
    this.ctx = ctx;
    ctx.scale(dpr, dpr);
    this.canvas.hidden = true;
    parent.appendChild(this.canvas);
    this.canvas.addEventListener('pointerdown', (e) => {
      this.dragging = true;
      this.canvas.setPointerCapture(e.pointerId);
      this.navigate(e);
      e.preventDefault();
      e.stopPropagation();
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (this.dragging) this.navigate(e);
    });
    const stop = (e: PointerEvent) => {
      this.dragging = false;
      if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    };
    this.canvas.addEventListener('pointerup', stop);
    this.canvas.addEventListener('pointercancel', stop);
    this.canvas.addEventListener('wheel', (e) => e.preventDefault(), { passive: false });
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    if (this.layout) this.setLayout(this.layout, this.bounds);
  }

  /** Coloured marks over the boxes of changed nodes and groups (a comparison), or null. */
  setMarks(marks: MinimapMarks | null): void {
    this.marks = marks;
    if (this.layout) this.setLayout(this.layout, this.bounds);
  }

  setLayout(layout: ViewLayout | null, bounds: Rect): void {
    this.layout = layout;
    this.bounds = bounds;
    this.canvas.hidden = !layout;
    if (!layout) {
      this.cache = null;
      this.ctx.clearRect(0, 0, this.width, this.height);
      return;
    }
    const pad = 6;
    const bw = Math.max(1e-6, bounds.maxX - bounds.minX);
    const bh = Math.max(1e-6, bounds.maxY - bounds.minY);
    this.scale = Math.min((this.width - 2 * pad) / bw, (this.height - 2 * pad) / bh);
    this.offX = (this.width - bw * this.scale) / 2 - bounds.minX * this.scale;
    this.offY = (this.height - bh * this.scale) / 2 - bounds.minY * this.scale;

    // Rasterised on the CPU into one ImageData: O(boxes + covered pixels), one upload. (Thousands of fillRect
    // calls would each become GPU raster work, which on SwiftShader stalls the page for seconds.)
    const dpr = this.canvas.width / this.width;
    const W = this.canvas.width;
    const H = this.canvas.height;
    const cache = document.createElement('canvas');
    cache.width = W;
    cache.height = H;
    const c = cache.getContext('2d', { willReadFrequently: true });
    if (!c) return;
    const frameCov = new Uint8Array(W * H);
    const boxCov = new Uint8Array(W * H);
    const n = layout.boxCount;
    const sx = this.scale * dpr;
    const ox = this.offX * dpr;
    const oy = this.offY * dpr;
    // Every box as at least one pixel.
    const cover = (cov: Uint8Array, bx: number, by: number, bw: number, bh: number) => {
      const x0 = Math.max(0, Math.floor(bx * sx + ox));
      const y0 = Math.max(0, Math.floor(by * sx + oy));
      const x1 = Math.min(W - 1, Math.max(x0, Math.ceil((bx + bw) * sx + ox) - 1));
      const y1 = Math.min(H - 1, Math.max(y0, Math.ceil((by + bh) * sx + oy) - 1));
      if (x0 >= W || y0 >= H || x1 < 0 || y1 < 0) return;
      for (let y = y0; y <= y1; y++) cov.fill(1, y * W + x0, y * W + x1 + 1);
    };
    for (let i = 0; i < n; i++) {
      const kind = layout.boxKind[i];
      // Group-level overview: frames of the outer two levels only.
      if (kind === BoxKind.Frame && layout.boxDepth[i] > 1) continue;
      cover(kind === BoxKind.Frame ? frameCov : boxCov, layout.boxX[i], layout.boxY[i], layout.boxW[i], layout.boxH[i]);
    }
    // The graph's inputs and outputs, drawn as boxes on the canvas, are boxes here too.
    const band = layout.tensors;
    if (band) for (let t = 0; t < band.count; t++) cover(boxCov, band.x[t], band.y[t], band.w[t], band.h[t]);
    const img = c.createImageData(W, H);
    const d = img.data;
    const box = this.theme.minimapBox;
    const frame = this.theme.minimapFrame;
    for (let p = 0, q = 0; p < W * H; p++, q += 4) {
      const col = boxCov[p] ? box : frameCov[p] ? frame : null;
      if (!col) continue;
      d[q] = col[0];
      d[q + 1] = col[1];
      d[q + 2] = col[2];
      d[q + 3] = col[3];
    }
    if (this.marks) paintMarks(d, W, H, layout, this.marks, sx, ox, oy, Math.max(2, Math.round(2 * dpr)));
    c.putImageData(img, 0, 0);
    this.cache = cache;
    if (this.lastView) this.drawView(this.lastView, true);
  }

  /** Redraws the viewport rectangle (layout coordinates). */
  drawView(view: Rect, force = false): void {
    const last = this.lastView;
    if (
      !force &&
      last &&
      last.minX === view.minX &&
      last.minY === view.minY &&
      last.maxX === view.maxX &&
      last.maxY === view.maxY
    )
      return;
    this.lastView = { ...view };
    const ctx = this.ctx;
    ctx.clearRect(0, 0, this.width, this.height);
    if (!this.cache) return;
    ctx.drawImage(this.cache, 0, 0, this.width, this.height);
    const r = this.viewRectOnMap(view);
    const cx = r.x;
    const cy = r.y;
    const cw = r.w;
    const ch = r.h;
    ctx.strokeStyle = this.theme.minimapView;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(cx + 0.5, cy + 0.5, cw, ch);
  }

  /**
   * The view rectangle in minimap pixels, clamped to the drawn content: when the whole graph fits on screen the
   * rectangle is the content's outline, never a clipped line along the minimap's edge.
   */
  viewRectOnMap(view: Rect): { x: number; y: number; w: number; h: number } {
    const b = this.bounds;
    const bx0 = b.minX * this.scale + this.offX;
    const by0 = b.minY * this.scale + this.offY;
    const bx1 = b.maxX * this.scale + this.offX;
    const by1 = b.maxY * this.scale + this.offY;
    const x0 = Math.max(bx0, Math.min(bx1, view.minX * this.scale + this.offX));
    const y0 = Math.max(by0, Math.min(by1, view.minY * this.scale + this.offY));
    const x1 = Math.max(bx0, Math.min(bx1, view.maxX * this.scale + this.offX));
    const y1 = Math.max(by0, Math.min(by1, view.maxY * this.scale + this.offY));
    const w = Math.max(3, x1 - x0);
    const h = Math.max(3, y1 - y0);
    return { x: Math.min(x0, this.width - 1 - w), y: Math.min(y0, this.height - 1 - h), w, h };
  }

  /** Layout-space point under a minimap pixel. */
  toLayout(px: number, py: number): { x: number; y: number } {
    return { x: (px - this.offX) / this.scale, y: (py - this.offY) / this.scale };
  }

  private navigate(e: PointerEvent): void {
    if (!this.layout) return;
    const r = this.canvas.getBoundingClientRect();
    // The page may draw the minimap smaller than its bitmap (narrow windows): map CSS pixels back to map pixels.
    const p = this.toLayout(
      ((e.clientX - r.left) * this.width) / Math.max(1, r.width),
      ((e.clientY - r.top) * this.height) / Math.max(1, r.height),
    );
    this.onNavigate?.(p.x, p.y);
  }

  destroy(): void {
    this.canvas.remove();
  }
}
