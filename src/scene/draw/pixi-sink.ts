import type { BoxBatch, EdgeBatch } from '../batches.ts';
import type { TextBatch } from '../text.ts';
import { BoxLayer, type DrawSink } from './sink.ts';

/**
 * The emitter's output into the scene's four batched layers: frames (and collapsed groups), edges, operator
 * boxes, labels. `begin` resets them with capacity hints, `commit` uploads them; in between the emitter fills
 * them. An edge polyline becomes one segment quad per segment plus one arrow quad.
 */
export class PixiSink implements DrawSink {
  private edgeColor = 0;
  private edgeHalfWidth = 0;
  private points = 0;
  private x0 = 0;
  private y0 = 0;
  private x1 = 0;
  private y1 = 0;

  constructor(
    private readonly frames: BoxBatch,
    private readonly nodes: BoxBatch,
    private readonly edges: EdgeBatch,
    private readonly labels: TextBatch,
  ) {}

  get textAdvance(): number {
    return this.labels.advance;
  }

  begin(boxes: number, edgePrimitives: number): void {
    this.frames.begin();
    this.nodes.begin(boxes);
    this.edges.begin(edgePrimitives);
    this.labels.begin();
  }

  commit(): void {
    this.frames.commit();
    this.nodes.commit();
    this.edges.commit();
    this.labels.commit();
  }

  labelsFull(): boolean {
    return this.labels.full;
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
    (layer === BoxLayer.Frames ? this.frames : this.nodes).push(x, y, w, h, fill, stroke, radius, strokePx);
  }

  beginEdge(color: number, halfWidthPx: number): void {
    this.edgeColor = color;
    this.edgeHalfWidth = halfWidthPx;
    this.points = 0;
  }

  edgePoint(x: number, y: number): void {
    if (this.points > 0) this.edges.segment(this.x1, this.y1, x, y, this.edgeColor, this.edgeHalfWidth);
    this.x0 = this.x1;
    this.y0 = this.y1;
    this.x1 = x;
    this.y1 = y;
    this.points++;
  }

  endEdge(arrowPx: number): void {
    if (arrowPx > 0 && this.points >= 2) this.edges.arrow(this.x0, this.y0, this.x1, this.y1, this.edgeColor, arrowPx);
  }

  label(text: string, x: number, y: number, size: number, color: number, anchorX: number, anchorY: number): void {
    this.labels.add(text, x, y, size, color, anchorX, anchorY);
  }
}
