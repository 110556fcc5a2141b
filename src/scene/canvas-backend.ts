import type { Application } from 'pixi.js';
import type { Viewport } from 'pixi-viewport';
import { Tier } from '../culling/lod.ts';
import type { FrameView, SceneBackend } from './backend.ts';
import { BoxList, ColorCache, EdgeList, LABEL_FONT, LabelList, type PaintView } from './draw/canvas-layers.ts';
import { LayeredSink } from './draw/layered-sink.ts';
import { EDGE_ARROW_MAX } from './draw/sink.ts';

/** Character advance used when the font cannot be measured (common monospace fonts). */
const FALLBACK_ADVANCE = 0.6;

/**
 * Canvas2D drawing, for browsers without WebGL (or after a WebGL context is lost for good). The pixi application
 * runs its Canvas renderer, which clears the canvas and drives pointer events for the viewport; the model is
 * painted on top from draw lists that the drawing emitter fills, with the same levels of detail and culling as
 * the WebGL batches, so frame cost still follows what is on screen.
 */
export class CanvasBackend implements SceneBackend {
  readonly kind = 'canvas';
  readonly rendererName = 'Canvas2D';
  readonly sink: LayeredSink;
  readonly overlayBoxes = new BoxList(true);
  readonly overlayEdges = new EdgeList();
  private readonly frames = new BoxList(true);
  private readonly edges = new EdgeList();
  private readonly nodes = new BoxList(false);
  private readonly labels = new LabelList();
  private readonly colors = new ColorCache();
  private readonly ctx: CanvasRenderingContext2D;

  constructor(
    private readonly app: Application,
    private readonly viewport: Viewport,
  ) {
    const ctx = app.canvas.getContext('2d');
    if (!ctx) throw new Error('the 2D canvas context is unavailable');
    this.ctx = ctx;
    ctx.font = `100px ${LABEL_FONT}`;
    const advance = ctx.measureText('M').width / 100 || FALLBACK_ADVANCE;
    this.sink = new LayeredSink(
      { frames: this.frames, edges: this.edges, nodes: this.nodes, labels: this.labels },
      advance,
    );
  }

  /** Nothing to compile or upload. */
  prime(): void {}

  render(view: FrameView | null): number {
    // The pixi pass clears to the background and records the stage for pointer hit-testing.
    this.app.render();
    if (!view) return 1;
    const vp = this.viewport;
    const pv: PaintView = { scale: vp.scale.x, tx: vp.x, ty: vp.y, resolution: this.app.renderer.resolution };
    const ctx = this.ctx;
    ctx.save();
    const dots = view.tier === Tier.Dots;
    let calls = 1;
    calls += this.frames.paint(ctx, pv, { flat: false, minPx: 0 }, this.colors);
    calls += this.edges.paint(ctx, pv, view.nodeHeight * EDGE_ARROW_MAX, this.colors);
    calls += this.nodes.paint(ctx, pv, { flat: dots, minPx: dots ? 1.5 : 0 }, this.colors);
    calls += this.labels.paint(ctx, pv, this.colors);
    calls += this.overlayEdges.paint(ctx, pv, view.nodeHeight * 0.5, this.colors);
    calls += this.overlayBoxes.paint(ctx, pv, { flat: false, minPx: 3 }, this.colors);
    ctx.restore();
    return calls;
  }

  destroy(): void {}
}
