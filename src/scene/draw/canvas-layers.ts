import { cssColor, unpackRgba } from '../palette.ts';

/**
 * Draw lists for the Canvas2D renderer: the same primitives the WebGL batches hold (rounded boxes, edge
 * segments and arrowheads, labels), kept in typed arrays. They are filled only when the visible set changes and
 * painted every frame with the current camera, so a pan costs one pass over what is on screen, as with WebGL.
 * Painting batches runs of one colour into one path, so the number of fill/stroke calls follows the number of
 * colours on screen, not the number of items. No DOM access: the context is handed in.
 */

/** The label font: the same monospace stack as the WebGL glyph atlas. */
export const LABEL_FONT = 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace';
/** Arrowhead half-width as a fraction of its length (as the edge shader draws it). */
const ARROW_HALF_WIDTH = 0.42;
/** Labels smaller than this on screen are not drawn (the WebGL atlas renders them as an unreadable smudge). */
const MIN_LABEL_PX = 2;
/** Corners rounder than this many screen pixels are drawn round; below it a plain rectangle looks the same. */
const MIN_ROUND_PX = 0.75;

/** The camera a frame is painted with: screen = layout × scale + (tx, ty), in CSS pixels. */
export interface PaintView {
  scale: number;
  tx: number;
  ty: number;
  /** Device pixels per CSS pixel. */
  resolution: number;
}

/** The subset of CanvasRenderingContext2D the lists draw with (a recording fake stands in for it in tests). */
export type Paint2D = Pick<
  CanvasRenderingContext2D,
  | 'setTransform'
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'closePath'
  | 'rect'
  | 'roundRect'
  | 'fill'
  | 'stroke'
  | 'fillText'
  | 'fillStyle'
  | 'strokeStyle'
  | 'lineWidth'
  | 'lineJoin'
  | 'lineCap'
  | 'font'
  | 'textAlign'
  | 'textBaseline'
>;

/** CSS colour strings for packed RGBA words, cached (parsing a colour per item would dominate a frame). */
export class ColorCache {
  private readonly map = new Map<number, string>();

  css(packed: number): string {
    let s = this.map.get(packed);
    if (s === undefined) {
      const { rgb, alpha } = unpackRgba(packed);
      const hex = cssColor(rgb);
      s = alpha >= 1 ? hex : `rgba(${(rgb >> 16) & 255},${(rgb >> 8) & 255},${rgb & 255},${alpha.toFixed(3)})`;
      this.map.set(packed, s);
    }
    return s;
  }
}

/** The alpha byte of a packed RGBA word (0: transparent). */
function alphaOf(packed: number): number {
  return packed >>> 24;
}

function growF64(a: Float64Array<ArrayBuffer>, need: number): Float64Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Float64Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

function growU32(a: Uint32Array<ArrayBuffer>, need: number): Uint32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Uint32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** How a box list paints this frame (the WebGL box batch's uniforms). */
export interface BoxStyle {
  /** Every item as a flat square of its fill (or stroke, when the fill is transparent): the overview dots. */
  flat: boolean;
  /** Items smaller than this on screen grow to it. */
  minPx: number;
}

/**
 * Rounded boxes. `overlapping` lists (frames and collapsed groups nest, and their translucent fills must add up)
 * paint item by item in order; the others (operators, which never overlap) are grouped by colour at commit.
 */
export class BoxList {
  count = 0;
  private geo = new Float64Array(6 * 64);
  private colors = new Uint32Array(2 * 64);
  private order = new Uint32Array(64);

  constructor(private readonly overlapping: boolean) {}

  begin(expected = 0): void {
    this.count = 0;
    this.geo = growF64(this.geo, 6 * expected);
    this.colors = growU32(this.colors, 2 * expected);
  }

  /** Colours are packed RGBA; radius in layout units, stroke width in screen pixels. */
  push(
    x: number,
    y: number,
    w: number,
    h: number,
    fill: number,
    stroke: number,
    radius: number,
    strokePx: number,
  ): void {
    const i = this.count++;
    this.geo = growF64(this.geo, 6 * this.count);
    this.colors = growU32(this.colors, 2 * this.count);
    const g = this.geo;
    g[6 * i] = x;
    g[6 * i + 1] = y;
    g[6 * i + 2] = w;
    g[6 * i + 3] = h;
    g[6 * i + 4] = radius;
    g[6 * i + 5] = strokePx;
    this.colors[2 * i] = fill >>> 0;
    this.colors[2 * i + 1] = stroke >>> 0;
  }

  commit(): void {
    const n = this.count;
    if (this.order.length < n) this.order = new Uint32Array(Math.max(n, this.order.length * 2));
    const order = this.order.subarray(0, n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (!this.overlapping) {
      const c = this.colors;
      order.sort((a, b) => c[2 * a] - c[2 * b] || c[2 * a + 1] - c[2 * b + 1]);
    }
  }

  /** Paints the boxes in layout coordinates; returns the fill/stroke calls issued. */
  paint(ctx: Paint2D, view: PaintView, style: BoxStyle, colors: ColorCache): number {
    const n = this.count;
    if (n === 0) return 0;
    const s = view.scale;
    const r = view.resolution;
    ctx.setTransform(r * s, 0, 0, r * s, r * view.tx, r * view.ty);
    const g = this.geo;
    const c = this.colors;
    const order = this.order;
    const minW = style.minPx / s;
    let calls = 0;

    // Fills: a run of one colour is one path (per item when items overlap).
    let run = -1;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const fill = style.flat && alphaOf(c[2 * i]) === 0 ? c[2 * i + 1] : c[2 * i];
      if (alphaOf(fill) === 0) continue;
      if (fill !== run || this.overlapping) {
        if (run !== -1) {
          ctx.fill();
          calls++;
        }
        run = fill;
        ctx.fillStyle = colors.css(fill);
        ctx.beginPath();
      }
      this.addShape(ctx, i, s, minW, style.flat, 0);
    }
    if (run !== -1) {
      ctx.fill();
      calls++;
    }
    if (style.flat) return calls;

    // Outlines, drawn inside the box edge (as the shader does), a run of one colour and width per path.
    let runColor = -1;
    let runWidth = -1;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const px = g[6 * i + 5];
      const stroke = c[2 * i + 1];
      if (px <= 0 || alphaOf(stroke) === 0) continue;
      const inset = px / 2 / s;
      if (Math.max(g[6 * i + 2], minW) <= 2 * inset || Math.max(g[6 * i + 3], minW) <= 2 * inset) continue;
      if (stroke !== runColor || px !== runWidth) {
        if (runColor !== -1) {
          ctx.stroke();
          calls++;
        }
        runColor = stroke;
        runWidth = px;
        ctx.strokeStyle = colors.css(stroke);
        ctx.lineWidth = px / s;
        ctx.beginPath();
      }
      this.addShape(ctx, i, s, minW, false, inset);
    }
    if (runColor !== -1) {
      ctx.stroke();
      calls++;
    }
    return calls;
  }

  private addShape(ctx: Paint2D, i: number, s: number, minW: number, flat: boolean, inset: number): void {
    const g = this.geo;
    const w0 = g[6 * i + 2];
    const h0 = g[6 * i + 3];
    const w = Math.max(w0, minW);
    const h = Math.max(h0, minW);
    // Grown boxes stay centred on the original (as in the shader).
    const x = g[6 * i] + (w0 - w) / 2 + inset;
    const y = g[6 * i + 1] + (h0 - h) / 2 + inset;
    const iw = w - 2 * inset;
    const ih = h - 2 * inset;
    const radius = Math.min(g[6 * i + 4], w / 2, h / 2) - inset;
    if (flat || radius * s < MIN_ROUND_PX) ctx.rect(x, y, iw, ih);
    else ctx.roundRect(x, y, iw, ih, radius);
  }
}

/**
 * Edge segments of constant screen width and arrowheads, as the WebGL edge batch holds them. Consecutive
 * segments that continue each other are painted as one polyline (with round joins).
 */
export class EdgeList {
  count = 0;
  /** Per primitive: x0 y0 x1 y1, then the half width in pixels (segments) or minus the arrow length (arrows). */
  private geo = new Float64Array(5 * 256);
  private colors = new Uint32Array(256);

  begin(expected = 0): void {
    this.count = 0;
    this.geo = growF64(this.geo, 5 * expected);
    this.colors = growU32(this.colors, expected);
  }

  segment(x0: number, y0: number, x1: number, y1: number, color: number, halfWidthPx: number): void {
    this.put(x0, y0, x1, y1, color, Math.max(0, halfWidthPx));
  }

  arrow(x0: number, y0: number, x1: number, y1: number, color: number, lengthPx: number): void {
    this.put(x0, y0, x1, y1, color, -Math.max(0.01, lengthPx));
  }

  commit(): void {}

  private put(x0: number, y0: number, x1: number, y1: number, color: number, w: number): void {
    const i = this.count++;
    this.geo = growF64(this.geo, 5 * this.count);
    this.colors = growU32(this.colors, this.count);
    const g = this.geo;
    g[5 * i] = x0;
    g[5 * i + 1] = y0;
    g[5 * i + 2] = x1;
    g[5 * i + 3] = y1;
    g[5 * i + 4] = w;
    this.colors[i] = color >>> 0;
  }

  /** Paints segments, then arrowheads no longer than `arrowMax` layout units; returns the fill/stroke calls. */
  paint(ctx: Paint2D, view: PaintView, arrowMax: number, colors: ColorCache): number {
    const n = this.count;
    if (n === 0) return 0;
    const s = view.scale;
    const r = view.resolution;
    ctx.setTransform(r * s, 0, 0, r * s, r * view.tx, r * view.ty);
    ctx.lineJoin = 'round';
    ctx.lineCap = 'butt';
    const g = this.geo;
    const c = this.colors;
    let calls = 0;
    let runColor = -1;
    let runWidth = -1;
    let endX = Number.NaN;
    let endY = Number.NaN;
    for (let i = 0; i < n; i++) {
      const w = g[5 * i + 4];
      if (w < 0) continue;
      if (c[i] !== runColor || w !== runWidth) {
        if (runColor !== -1) {
          ctx.stroke();
          calls++;
        }
        runColor = c[i];
        runWidth = w;
        ctx.strokeStyle = colors.css(c[i]);
        ctx.lineWidth = (2 * w) / s;
        ctx.beginPath();
        endX = Number.NaN;
      }
      if (g[5 * i] !== endX || g[5 * i + 1] !== endY) ctx.moveTo(g[5 * i], g[5 * i + 1]);
      ctx.lineTo(g[5 * i + 2], g[5 * i + 3]);
      endX = g[5 * i + 2];
      endY = g[5 * i + 3];
    }
    if (runColor !== -1) {
      ctx.stroke();
      calls++;
    }

    runColor = -1;
    for (let i = 0; i < n; i++) {
      const w = g[5 * i + 4];
      if (w >= 0) continue;
      const x0 = g[5 * i];
      const y0 = g[5 * i + 1];
      const x1 = g[5 * i + 2];
      const y1 = g[5 * i + 3];
      const len = Math.hypot(x1 - x0, y1 - y0);
      if (len === 0) continue;
      if (c[i] !== runColor) {
        if (runColor !== -1) {
          ctx.fill();
          calls++;
        }
        runColor = c[i];
        ctx.fillStyle = colors.css(c[i]);
        ctx.beginPath();
      }
      const l = Math.min(-w / s, arrowMax, len);
      const ux = (x1 - x0) / len;
      const uy = (y1 - y0) / len;
      const bx = x1 - ux * l;
      const by = y1 - uy * l;
      const hw = l * ARROW_HALF_WIDTH;
      ctx.moveTo(x1, y1);
      ctx.lineTo(bx - uy * hw, by + ux * hw);
      ctx.lineTo(bx + uy * hw, by - ux * hw);
      ctx.closePath();
    }
    if (runColor !== -1) {
      ctx.fill();
      calls++;
    }
    return calls;
  }
}

/** Labels, painted in screen space (tiny font sizes scaled up by a transform render badly in some browsers). */
export class LabelList {
  count = 0;
  private texts: string[] = [];
  private geo = new Float64Array(5 * 256);
  private colors = new Uint32Array(256);

  constructor(readonly maxLabels = 50_000) {}

  get full(): boolean {
    return this.count >= this.maxLabels;
  }

  begin(): void {
    this.count = 0;
    this.texts.length = 0;
  }

  add(text: string, x: number, y: number, size: number, color: number, anchorX: number, anchorY: number): void {
    if (!text || this.full) return;
    const i = this.count++;
    this.geo = growF64(this.geo, 5 * this.count);
    this.colors = growU32(this.colors, this.count);
    this.texts[i] = text;
    const g = this.geo;
    g[5 * i] = x;
    g[5 * i + 1] = y;
    g[5 * i + 2] = size;
    g[5 * i + 3] = anchorX;
    g[5 * i + 4] = anchorY;
    this.colors[i] = color >>> 0;
  }

  commit(): void {}

  paint(ctx: Paint2D, view: PaintView, colors: ColorCache): number {
    const n = this.count;
    if (n === 0) return 0;
    const s = view.scale;
    const r = view.resolution;
    ctx.setTransform(r, 0, 0, r, 0, 0);
    const g = this.geo;
    let font = -1;
    let color = -1;
    let align = -1;
    let baseline = -1;
    let calls = 0;
    for (let i = 0; i < n; i++) {
      // Quarter-pixel font steps: setting the font string is costly, so most labels reuse the current one.
      const px = Math.round(g[5 * i + 2] * s * 4) / 4;
      if (px < MIN_LABEL_PX) continue;
      if (px !== font) {
        font = px;
        ctx.font = `${px}px ${LABEL_FONT}`;
      }
      if (this.colors[i] !== color) {
        color = this.colors[i];
        ctx.fillStyle = colors.css(color);
      }
      const ax = g[5 * i + 3];
      const ay = g[5 * i + 4];
      if (ax !== align) {
        align = ax;
        ctx.textAlign = ax <= 0 ? 'left' : ax >= 1 ? 'right' : 'center';
      }
      if (ay !== baseline) {
        baseline = ay;
        ctx.textBaseline = ay <= 0 ? 'top' : ay >= 1 ? 'bottom' : 'middle';
      }
      ctx.fillText(this.texts[i], g[5 * i] * s + view.tx, g[5 * i + 1] * s + view.ty);
      calls++;
    }
    return calls;
  }
}
