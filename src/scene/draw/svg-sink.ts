import { cssColor, unpackRgba } from '../palette.ts';
import { BoxLayer, type DrawSink } from './sink.ts';

/** The label font: the same monospace stack as the canvas glyph atlas. */
const FONT_FAMILY =
  'ui-monospace, &quot;DejaVu Sans Mono&quot;, Menlo, Consolas, &quot;Liberation Mono&quot;, monospace';
/** Character advance of common monospace fonts as a fraction of the font size. */
const MONOSPACE_ADVANCE = 0.6;
/** Arrowhead half-width as a fraction of its length (as the edge shader draws it). */
const ARROW_HALF_WIDTH = 0.42;

export interface SvgSinkOptions {
  /** Screen pixels per layout unit: `Px` sizes are converted with it, so the SVG looks like the screen. */
  scale: number;
  /** Longest arrowhead in layout units (the canvas caps them the same way). */
  arrowMax: number;
  /** Upper bound on shapes, so an overview of a huge model stays a usable file. */
  maxShapes: number;
}

/**
 * The emitter's output as SVG markup, one group per layer (frames, edges, nodes, labels). Strings are built
 * directly (no DOM, so it runs in Node too); every model-provided string is escaped by `escapeXml`.
 */
export class SvgSink implements DrawSink {
  readonly textAdvance = MONOSPACE_ADVANCE;
  private readonly px: number;
  private readonly frames: string[] = [];
  private readonly nodes: string[] = [];
  private readonly edges: string[] = [];
  private readonly labels: string[] = [];
  private shapes = 0;
  private edgeColor = 0;
  private edgeHalfWidth = 0;
  private points: number[] = [];

  constructor(private readonly options: SvgSinkOptions) {
    this.px = 1 / Math.max(1e-9, options.scale);
  }

  labelsFull(): boolean {
    return this.shapes >= this.options.maxShapes;
  }

  box(
    layer: BoxLayer,
    x: number,
    y: number,
    w: number,
    h: number,
    fill: number,
    stroke: number,
    radius: number,
    strokePx: number,
  ): void {
    if (this.shapes++ >= this.options.maxShapes) return;
    let s = `<rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(w)}" height="${fmt(h)}"`;
    if (radius > 0) s += ` rx="${fmt(Math.min(radius, w / 2, h / 2))}"`;
    s += paint('fill', fill);
    s += strokePx > 0 ? `${paint('stroke', stroke)} stroke-width="${fmt(strokePx * this.px)}"` : '';
    (layer === BoxLayer.Frames ? this.frames : this.nodes).push(`${s}/>`);
  }

  beginEdge(color: number, halfWidthPx: number): void {
    this.edgeColor = color;
    this.edgeHalfWidth = halfWidthPx;
    this.points.length = 0;
  }

  edgePoint(x: number, y: number): void {
    this.points.push(x, y);
  }

  endEdge(arrowPx: number): void {
    const p = this.points;
    if (p.length < 4 || this.shapes++ >= this.options.maxShapes) return;
    const coords: string[] = [];
    for (let i = 0; i < p.length; i += 2) coords.push(`${fmt(p[i])},${fmt(p[i + 1])}`);
    const color = paint('stroke', this.edgeColor);
    this.edges.push(
      `<polyline points="${coords.join(' ')}"${color} stroke-width="${fmt(2 * this.edgeHalfWidth * this.px)}"/>`,
    );
    if (arrowPx <= 0) return;
    // The arrowhead ends at the last point, along the last segment, never longer than that segment.
    const x1 = p[p.length - 2];
    const y1 = p[p.length - 1];
    const dx = x1 - p[p.length - 4];
    const dy = y1 - p[p.length - 3];
    const len = Math.hypot(dx, dy);
    if (len === 0) return;
    const l = Math.min(arrowPx * this.px, this.options.arrowMax, len);
    const ux = dx / len;
    const uy = dy / len;
    const bx = x1 - ux * l;
    const by = y1 - uy * l;
    const hw = l * ARROW_HALF_WIDTH;
    const tri = `${fmt(x1)},${fmt(y1)} ${fmt(bx - uy * hw)},${fmt(by + ux * hw)} ${fmt(bx + uy * hw)},${fmt(by - ux * hw)}`;
    this.edges.push(`<polygon points="${tri}"${paint('fill', this.edgeColor)}/>`);
  }

  label(text: string, x: number, y: number, size: number, color: number, anchorX: number, anchorY: number): void {
    if (!text || this.shapes++ >= this.options.maxShapes) return;
    const anchor = anchorX <= 0 ? 'start' : anchorX >= 1 ? 'end' : 'middle';
    const baseline = anchorY <= 0 ? 'hanging' : anchorY >= 1 ? 'text-after-edge' : 'middle';
    this.labels.push(
      `<text x="${fmt(x)}" y="${fmt(y)}" font-size="${fmt(size)}"${paint('fill', color)} text-anchor="${anchor}" dominant-baseline="${baseline}">${escapeXml(text)}</text>`,
    );
  }

  /** The layers, back to front, as SVG groups. */
  markup(): string {
    return [
      `<g id="frames">${this.frames.join('')}</g>`,
      `<g id="edges" fill="none" stroke-linejoin="round">${this.edges.join('')}</g>`,
      `<g id="nodes">${this.nodes.join('')}</g>`,
      `<g id="labels" font-family="${FONT_FAMILY}">${this.labels.join('')}</g>`,
    ].join('');
  }
}

/** ` fill="#rrggbb"` plus an opacity attribute when the colour is not opaque. */
function paint(attr: 'fill' | 'stroke', packed: number): string {
  const { rgb, alpha } = unpackRgba(packed);
  return ` ${attr}="${cssColor(rgb)}"${alpha < 1 ? ` ${attr}-opacity="${fmt(alpha)}"` : ''}`;
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text safe inside an element or a quoted attribute; control characters XML cannot hold are dropped. */
export function escapeXml(s: string): string {
  return (
    s
      // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters; model names may hold them
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[&<>"']/g, (c) => XML_ENTITIES[c])
  );
}

/** Short numbers for attributes: two decimals, or three significant digits below 1 (pixel-thin strokes). */
export function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1 ? v.toFixed(2) : String(Number(v.toPrecision(3)));
}
