import { type Application, Container, type WebGLRenderer } from 'pixi.js';
import { Tier } from '../culling/lod.ts';
import type { FrameView, SceneBackend } from './backend.ts';
import { BoxBatch, EdgeBatch } from './batches.ts';
import { LayeredSink } from './draw/layered-sink.ts';
import { EDGE_ARROW_MAX } from './draw/sink.ts';
import { TextBatch } from './text.ts';

const DRAW_FUNCTIONS = ['drawElements', 'drawArrays', 'drawElementsInstanced', 'drawArraysInstanced'] as const;

/**
 * WebGL drawing: four batched layers (frames and collapsed groups, edges, operator boxes, labels) plus the two
 * highlight batches, in one container under the viewport. Pan and zoom only change the viewport transform and
 * a few uniforms; the batches are refilled when the visible set changes.
 */
export class WebGLBackend implements SceneBackend {
  readonly kind = 'webgl';
  readonly rendererName: string;
  readonly sink: LayeredSink;
  readonly overlayBoxes = new BoxBatch(8, 'highlight-boxes');
  readonly overlayEdges = new EdgeBatch(64, 'highlight-edges');
  private readonly world = new Container({ label: 'world' });
  private readonly frames = new BoxBatch(256, 'frames');
  private readonly edges = new EdgeBatch(1024, 'edges');
  private readonly nodes = new BoxBatch(1024, 'nodes');
  private readonly labels = new TextBatch();
  private drawCounter = 0;

  constructor(
    private readonly app: Application,
    parent: Container,
  ) {
    this.sink = new LayeredSink(
      { frames: this.frames, edges: this.edges, nodes: this.nodes, labels: this.labels },
      this.labels.advance,
    );
    this.rendererName = this.countDrawCalls(app.renderer as WebGLRenderer);
    this.world.eventMode = 'none';
    this.world.interactiveChildren = false;
    this.world.addChild(
      this.frames.mesh,
      this.edges.mesh,
      this.nodes.mesh,
      this.labels.mesh,
      this.overlayEdges.mesh,
      this.overlayBoxes.mesh,
    );
    parent.addChild(this.world);
  }

  /** Counts every draw the renderer issues (they all go through these entry points); returns the GL renderer name. */
  private countDrawCalls(renderer: WebGLRenderer): string {
    const gl = renderer.gl;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    const glAny = gl as unknown as Record<string, (...args: unknown[]) => void>;
    for (const fn of DRAW_FUNCTIONS) {
      const original = glAny[fn];
      if (typeof original !== 'function') continue;
      glAny[fn] = (...args: unknown[]) => {
        this.drawCounter++;
        original.apply(gl, args);
      };
    }
    return name;
  }

  /**
   * Draws one off-screen item of every batch once, so shader compilation and the glyph-atlas upload (slow on
   * SwiftShader: up to a second or more) happen at startup, while the workers decode, not on the first zoom.
   */
  prime(): void {
    const far = -1e7;
    const boxes = [this.frames, this.nodes, this.overlayBoxes];
    const edges = [this.edges, this.overlayEdges];
    for (const b of boxes) {
      b.begin();
      b.push(far, far, 1, 1, 0xff000000, 0xff000000, 0, 1);
      b.commit();
    }
    for (const e of edges) {
      e.begin();
      e.segment(far, far, far + 1, far, 0xff000000, 1);
      e.commit();
    }
    this.labels.begin();
    this.labels.add('Strata', far, far, 10, 0xff000000, 0, 0);
    this.labels.commit();
    this.app.render();
    for (const b of [...boxes, ...edges, this.labels]) {
      b.begin();
      b.commit();
    }
  }

  render(view: FrameView | null): number {
    if (view) {
      const px = 1 / view.scale;
      const dots = view.tier === Tier.Dots;
      this.frames.setView(px, false, 0);
      this.nodes.setView(px, dots, dots ? 1.5 : 0);
      this.edges.setView(px, view.nodeHeight * EDGE_ARROW_MAX);
      this.overlayBoxes.setView(px, false, 3);
      this.overlayEdges.setView(px, view.nodeHeight * 0.5);
    }
    this.drawCounter = 0;
    this.app.render();
    return this.drawCounter;
  }

  destroy(): void {
    this.world.destroy({ children: true });
    // pixi ends a WebGL renderer by losing its context on purpose; on a context that is already lost that only
    // produces a console warning, so the extension is dropped first.
    const context = (this.app.renderer as WebGLRenderer).context;
    if (context.isLost) context.extensions.loseContext = undefined;
  }
}
