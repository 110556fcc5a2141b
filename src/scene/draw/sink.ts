/**
 * Where the drawing emitter's output goes. The emitter decides what is drawn (which boxes, which labels at what
 * size and where, which edge polylines); a sink only turns those primitives into its medium: a renderer's layers
 * (`layered-sink.ts`: the WebGL batches or the Canvas2D draw lists) or SVG elements (`svg-sink.ts`).
 *
 * Coordinates are layout units minus the emitter's origin. Colours are packed RGBA (`rgba()` in palette.ts,
 * unpack with `unpackRgba`). Sizes given in `Px` are screen pixels whatever the zoom; the rest are layout units.
 * Primitives arrive in back-to-front order within each layer; layers stack Frames, then edges, then Nodes, then
 * labels, so a sink may buffer per layer and draw the layers in that order.
 */
export interface DrawSink {
  /** Advance of one character of the label font as a fraction of the font size (the label font is monospace). */
  readonly textAdvance: number;
  /** True once the sink holds all the label text it can draw; the emitter then stops producing labels. */
  labelsFull(): boolean;
  /** A rounded box; a `strokePx` of 0 draws it flat (fill only, no outline). */
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
  ): void;
  /** Starts an edge polyline of this colour, `halfWidthPx` screen pixels on each side of its centre line. */
  beginEdge(color: number, halfWidthPx: number): void;
  edgePoint(x: number, y: number): void;
  /** Ends the polyline, with an arrowhead `arrowPx` long at its last point along its last segment (0: none). */
  endEdge(arrowPx: number): void;
  /**
   * One line of text: (x, y) is the anchor point, `size` the font size, anchor 0 = left/top, 0.5 = centre,
   * 1 = right/bottom. The text already fits its room (`size * textAdvance` per character).
   */
  label(text: string, x: number, y: number, size: number, color: number, anchorX: number, anchorY: number): void;
}

/** Boxes below the edges (frames, collapsed groups) or above them (operators, overview dots). */
export const enum BoxLayer {
  Frames = 0,
  Nodes = 1,
}

/** Longest arrowhead, as a fraction of the typical node height (arrows on short segments stay inside them). */
export const EDGE_ARROW_MAX = 0.4;

/** A layer of rounded boxes that is refilled as a whole (a WebGL box batch, a Canvas2D box list). */
export interface BoxTarget {
  begin(expected?: number): void;
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
  ): void;
  commit(): void;
}

/** A layer of edge segments and arrowheads that is refilled as a whole. */
export interface EdgeTarget {
  begin(expected?: number): void;
  segment(x0: number, y0: number, x1: number, y1: number, color: number, halfWidthPx: number): void;
  /** An arrowhead pointing from (x0, y0) to its tip at (x1, y1), `lengthPx` long on screen. */
  arrow(x0: number, y0: number, x1: number, y1: number, color: number, lengthPx: number): void;
  commit(): void;
}

/** A layer of one-line labels that is refilled as a whole; `full` once it holds all the text it can draw. */
export interface LabelTarget {
  readonly full: boolean;
  begin(): void;
  add(text: string, x: number, y: number, size: number, color: number, anchorX: number, anchorY: number): void;
  commit(): void;
}
