import { BoxLayer, type BoxTarget, type DrawSink, type EdgeTarget, type LabelTarget } from './sink.ts';

/** The four layers a raster renderer refills each time the view is re-emitted, bottom to top but for edges. */
export interface SinkLayers {
  /** Expanded groups' frames and collapsed groups, below the edges. */
  frames: BoxTarget;
  edges: EdgeTarget;
  /** Operator boxes (and overview dots), above the edges. */
  nodes: BoxTarget;
  labels: LabelTarget;
}

/**
 * The emitter's output into a renderer's layers: the WebGL batches or the Canvas2D draw lists, which share one
 * shape (BoxTarget, EdgeTarget, LabelTarget). `begin` resets the layers with capacity hints, `commit` finishes
 * them; in between the emitter fills them. A polyline becomes one segment per pair of points plus one arrowhead
 * along its last segment.
 */
export class LayeredSink implements DrawSink {
  private edgeColor = 0;
  private edgeHalfWidth = 0;
  private points = 0;
  private x0 = 0;
  private y0 = 0;
  private x1 = 0;
  private y1 = 0;

  /** `textAdvance`: the label font's character advance as a fraction of its size, measured by the renderer. */
  constructor(
    private readonly layers: SinkLayers,
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
