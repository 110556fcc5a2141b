import type { BoxList, EdgeList, LabelList } from './canvas-layers.ts';
import { BoxLayer, type DrawSink } from './sink.ts';

/** The four draw lists the Canvas2D renderer paints, back to front. */
export interface CanvasLayers {
  frames: BoxList;
  edges: EdgeList;
  nodes: BoxList;
  labels: LabelList;
}

/**
 * The emitter's output into the Canvas2D renderer's draw lists, the counterpart of the pixi sink: `begin` resets
 * the lists with capacity hints, `commit` finishes them (grouping operators by colour); in between the emitter
 * fills them. A polyline becomes its segments plus one arrowhead, exactly as in the WebGL batches.
 */
export class CanvasSink implements DrawSink {
  private edgeColor = 0;
  private edgeHalfWidth = 0;
  private points = 0;
  private x0 = 0;
  private y0 = 0;
  private x1 = 0;
  private y1 = 0;

  /** `textAdvance`: the label font's character advance as a fraction of its size, measured by the renderer. */
  constructor(
    private readonly layers: CanvasLayers,
    readonly textAdvance: number,
  ) {}

  begin(boxes: number, edgePrimitives: number): void {
    this.layers.frames.begin();
    this.layers.nodes.begin(boxes);
    this.layers.edges.begin(edgePrimitives);
    this.layers.labels.begin();
  }

  commit(): void {
    this.layers.frames.commit();
    this.layers.nodes.commit();
    this.layers.edges.commit();
    this.layers.labels.commit();
  }

  labelsFull(): boolean {
    return this.layers.labels.full;
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
    (layer === BoxLayer.Frames ? this.layers.frames : this.layers.nodes).push(
      x,
      y,
      w,
      h,
      fill,
      stroke,
      radius,
      strokePx,
    );
  }

  beginEdge(color: number, halfWidthPx: number): void {
    this.edgeColor = color;
    this.edgeHalfWidth = halfWidthPx;
    this.points = 0;
  }

  edgePoint(x: number, y: number): void {
    if (this.points > 0) this.layers.edges.segment(this.x1, this.y1, x, y, this.edgeColor, this.edgeHalfWidth);
    this.x0 = this.x1;
    this.y0 = this.y1;
    this.x1 = x;
    this.y1 = y;
    this.points++;
  }

  endEdge(arrowPx: number): void {
    if (arrowPx > 0 && this.points >= 2)
      this.layers.edges.arrow(this.x0, this.y0, this.x1, this.y1, this.edgeColor, arrowPx);
  }

  label(text: string, x: number, y: number, size: number, color: number, anchorX: number, anchorY: number): void {
    this.layers.labels.add(text, x, y, size, color, anchorX, anchorY);
  }
}
