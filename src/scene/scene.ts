// pixi.js compiles uniform/UBO sync functions with `new Function` unless this is loaded; the page's CSP forbids eval.
import 'pixi.js/unsafe-eval';
import { Application, Container, Ticker, type WebGLRenderer } from 'pixi.js';
import { Viewport } from 'pixi-viewport';
import { Culler } from '../culling/culler.ts';
import { Tier } from '../culling/lod.ts';
import type { Rect } from '../culling/spatial.ts';
import type { ViewLayout } from '../layout/types.ts';
import { BoxBatch, EdgeBatch } from './batches.ts';
import { Camera, type CameraState } from './camera.ts';
import { edgeCapacityHint, emitView, type SceneSource } from './draw/emit.ts';
import { packHeat, type PackedHeat, type SceneHeat } from './draw/heat.ts';
import { PixiSink } from './draw/pixi-sink.ts';
import { EDGE_ARROW_MAX } from './draw/sink.ts';
import { PointerInput } from './input.ts';
import { Minimap } from './minimap.ts';
import { HighlightOverlay } from './overlay.ts';
import type { Theme } from './palette.ts';
import { RenderLoop } from './render-loop.ts';
import { TextBatch } from './text.ts';
import { VisibleCounter, type VisibleCounts } from './visible-count.ts';

export interface SceneEvents {
  click?(box: number, event: PointerEvent): void;
  dblclick?(box: number, event: MouseEvent): void;
  hover?(box: number, event: PointerEvent | null): void;
}

export interface FrameStats {
  drawCalls: number;
  renderMs: number;
  rebuildMs: number;
  frames: number;
  rebuilds: number;
}

/** What a vector export of the current view needs: the items on screen and how they are drawn. */
export interface ExportView {
  view: Rect;
  boxes: number[];
  edges: number[];
  tier: Tier;
  nodeHeight: number;
  heat: PackedHeat | null;
  width: number;
  height: number;
}

const DRAW_FUNCTIONS = ['drawElements', 'drawArrays', 'drawElementsInstanced', 'drawArraysInstanced'] as const;

/**
 * The pixi side of the viewer: a viewport (render group) holding four batched layers (frames and collapsed
 * groups, edges, operator boxes, labels) plus a highlight overlay. Pan and zoom only change the viewport
 * transform and two uniforms; draw data is re-emitted (`emitView`) when the culler reports a new visible set or
 * tier. The camera, the render loop, pointer input and the overlay each live in their own module.
 */
export class Scene {
  readonly app: Application;
  readonly viewport: Viewport;
  readonly camera: Camera;
  readonly minimap: Minimap;
  readonly glRenderer: string;
  events: SceneEvents = {};

  layout: ViewLayout | null = null;
  source: SceneSource | null = null;
  culler: Culler | null = null;
  theme: Theme;
  stats: FrameStats = { drawCalls: 0, renderMs: 0, rebuildMs: 0, frames: 0, rebuilds: 0 };

  private heat: PackedHeat | null = null;
  private readonly host: HTMLElement;
  private readonly world = new Container({ label: 'world' });
  private readonly frames = new BoxBatch(256, 'frames');
  private readonly edges = new EdgeBatch(1024, 'edges');
  private readonly nodes = new BoxBatch(1024, 'nodes');
  private readonly labels = new TextBatch();
  private readonly sink = new PixiSink(this.frames, this.nodes, this.edges, this.labels);
  private readonly overlay = new HighlightOverlay();
  private readonly loop: RenderLoop;
  private readonly input: PointerInput;
  private readonly counter = new VisibleCounter();
  private readonly resizeObserver: ResizeObserver;
  private drawCounter = 0;

  static async create(host: HTMLElement, theme: Theme): Promise<Scene> {
    const app = new Application();
    const rect = host.getBoundingClientRect();
    await app.init({
      preference: 'webgl',
      width: Math.max(1, Math.floor(rect.width)),
      height: Math.max(1, Math.floor(rect.height)),
      antialias: false,
      autoDensity: true,
      resolution: Math.min(2, window.devicePixelRatio || 1),
      background: theme.background,
      autoStart: false,
      sharedTicker: false,
      powerPreference: 'high-performance',
      hello: false,
    });
    performance.mark('strata:app-init');
    return new Scene(host, app, theme);
  }

  private constructor(host: HTMLElement, app: Application, theme: Theme) {
    this.host = host;
    this.app = app;
    this.theme = theme;
    app.canvas.classList.add('graph-canvas');
    host.appendChild(app.canvas);
    this.glRenderer = this.countDrawCalls(app.renderer as WebGLRenderer);

    this.viewport = new Viewport({
      screenWidth: app.screen.width,
      screenHeight: app.screen.height,
      worldWidth: 1000,
      worldHeight: 1000,
      events: app.renderer.events,
      ticker: Ticker.shared,
      passiveWheel: false,
      disableOnContextMenu: true,
    });
    this.viewport.isRenderGroup = true;
    this.viewport.drag({ clampWheel: false }).pinch().wheel({ smooth: false, percent: 0.12 }).decelerate({ friction: 0.9 });
    app.stage.addChild(this.viewport);
    this.world.eventMode = 'none';
    this.world.interactiveChildren = false;
    this.world.addChild(this.frames.mesh, this.edges.mesh, this.nodes.mesh, this.labels.mesh, this.overlay.edges.mesh, this.overlay.boxes.mesh);
    this.viewport.addChild(this.world);

    this.camera = new Camera(this.viewport, () => this.markDirty());
    this.loop = new RenderLoop({
      moved: () => this.camera.moved(),
      busy: () => !!this.viewport.plugins.get('animate') || this.input.pressing,
      draw: () => this.draw(),
    });

    this.minimap = new Minimap(host, theme);
    this.minimap.onNavigate = (x, y) => {
      this.camera.centreWithin(x, y, this.culler?.index.bounds);
      this.markDirty();
    };

    for (const type of ['pointerdown', 'pointermove', 'wheel'] as const) {
      app.canvas.addEventListener(type, () => this.loop.wake(), { passive: true });
    }
    this.prime();
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(host);
    this.input = new PointerInput(app.canvas, {
      hitTest: (x, y) => this.hitTestClient(x, y),
      pressed: () => this.viewport.plugins.remove('animate'),
      click: (box, e) => this.events.click?.(box, e),
      dblclick: (box, e) => this.events.dblclick?.(box, e),
      hover: (box, e) => this.pointerOver(box, e),
    });
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
  private prime(): void {
    const far = -1e7;
    const boxes = [this.frames, this.nodes, this.overlay.boxes];
    const edges = [this.edges, this.overlay.edges];
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
    this.loop.markDirty();
  }

  // ---------------------------------------------------------------- model

  /**
   * Shows a new layout. `camera`: 'fit' frames the whole model, 'keep' keeps the camera, or a group id whose box
   * should stay where it was on screen (expand/collapse in place).
   */
  setLayout(layout: ViewLayout | null, source: SceneSource | null, camera: 'fit' | 'keep' | { anchorGroup: number } = 'fit'): void {
    let anchor: { sx: number; sy: number } | null = null;
    if (typeof camera === 'object' && this.layout) {
      const old = this.layout.groupBox[camera.anchorGroup] ?? -1;
      if (old >= 0) anchor = this.toScreen(this.layout.boxX[old], this.layout.boxY[old]);
    }
    this.layout = layout;
    // Heat colours are indexed by the model's nodes and groups: another model starts uncoloured.
    if (source !== this.source) this.heat = null;
    this.source = source;
    this.labels.begin();
    this.labels.commit();
    if (this.overlay.hover >= 0) this.events.hover?.(-1, null);
    this.overlay.reset();
    if (!layout || !source) {
      this.culler = null;
      this.sink.begin(0, 0);
      this.sink.commit();
      this.minimap.setLayout(null, { minX: 0, minY: 0, maxX: 1, maxY: 1 });
      this.markDirty();
      return;
    }
    this.culler = new Culler(layout);
    const b = this.culler.index.bounds;
    this.camera.setBounds(b, this.culler.nodeHeight);
    this.minimap.setLayout(layout, b);
    if (camera === 'fit') {
      this.fit();
    } else if (typeof camera === 'object') {
      const box = layout.groupBox[camera.anchorGroup] ?? -1;
      // Keep the group's top-left corner where it was on screen.
      if (anchor && box >= 0) this.camera.pin(layout.boxX[box], layout.boxY[box], anchor.sx, anchor.sy);
    }
    this.markDirty();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.app.renderer.background.color = theme.background;
    this.minimap.setTheme(theme);
    this.culler?.invalidate();
    this.overlay.dirty = true;
    this.markDirty();
  }

  /** Colour by a metric (null: by op category). Colours are packed here once; frames only read them. */
  setHeat(heat: SceneHeat | null): void {
    this.heat = heat ? packHeat(heat) : null;
    this.culler?.invalidate();
    this.markDirty();
  }

  /** Flashes an outline around a box that just appeared or changed (fades out in ~0.6 s). */
  pulse(box: number): void {
    this.overlay.pulse(box);
    this.markDirty();
  }

  get hover(): number {
    return this.overlay.hover;
  }

  get selected(): number {
    return this.overlay.selected;
  }

  setHover(box: number): void {
    if (this.overlay.setHover(box)) this.markDirty();
  }

  setSelected(box: number): void {
    if (this.overlay.setSelected(this.layout, box)) this.markDirty();
  }

  private pointerOver(box: number, e: PointerEvent | null): void {
    if (!e) {
      this.setHover(-1);
      this.events.hover?.(-1, null);
    } else if (box !== this.overlay.hover) {
      this.setHover(box);
      this.events.hover?.(box, e);
    } else if (box >= 0) {
      this.events.hover?.(box, e);
    }
  }

  // ---------------------------------------------------------------- camera (layout coordinates)

  getCamera(): CameraState {
    return this.camera.get();
  }

  setCamera(cam: Partial<CameraState>, animate = 0): void {
    this.camera.set(cam, animate);
  }

  /** Frames the whole model (or a layout-space rectangle). */
  fit(rect?: Rect, animate = 0, margin = 0.06): void {
    const b = rect ?? this.culler?.index.bounds;
    if (b) this.camera.fitRect(b, animate, margin, rect !== undefined);
  }

  zoomBy(factor: number, animate = 0): void {
    this.camera.zoomBy(factor, animate);
  }

  /** Centres a box, zooming in so it is comfortably readable if it is too small on screen. */
  focusBox(box: number, animate = 0): void {
    const L = this.layout;
    if (!L || !this.culler || box < 0 || box >= L.boxCount) return;
    this.camera.focusBox(L, this.culler.nodeHeight, box, animate);
  }

  viewRect(): Rect {
    return this.camera.viewRect();
  }

  toScreen(x: number, y: number): { sx: number; sy: number } {
    return this.camera.toScreen(x, y);
  }

  toLayout(sx: number, sy: number): { x: number; y: number } {
    return this.camera.toLayout(sx, sy);
  }

  /** The layout point under a client-space (page) point. */
  clientToLayout(clientX: number, clientY: number): { x: number; y: number } {
    const r = this.app.canvas.getBoundingClientRect();
    return this.camera.toLayout(clientX - r.left, clientY - r.top);
  }

  hitTestClient(clientX: number, clientY: number): number {
    if (!this.culler) return -1;
    const p = this.clientToLayout(clientX, clientY);
    return this.culler.index.hitTest(p.x, p.y);
  }

  /**
   * Operator boxes and collapsed-group boxes that intersect the screen. With `allowStale`, a moving camera gets
   * the last answer instead of a new query (the status bar must not spend frame time counting).
   */
  countVisible(allowStale = false): VisibleCounts {
    if (!this.culler || !this.layout) return { nodes: 0, ops: 0, groups: 0 };
    return this.counter.count(this.layout, this.culler.index, this.viewRect(), allowStale);
  }

  get tier(): Tier {
    return this.culler?.visible.tier ?? Tier.Dots;
  }

  /** Visible items for export: boxes and edges intersecting the screen, in drawing order. */
  exportView(): ExportView | null {
    return this.exportRect(this.viewRect(), this.viewport.scale.x, this.viewport.screenWidth, this.viewport.screenHeight);
  }

  /** Items for exporting any layout rectangle (the whole graph) drawn at `scale` pixels per unit into width × height. */
  exportRect(view: Rect, scale: number, width: number, height: number): ExportView | null {
    const culler = this.culler;
    if (!culler || !this.layout) return null;
    const bo = new Int32Array(this.layout.boxCount);
    const n = culler.index.queryBoxes(view, bo);
    const eo = new Int32Array(this.layout.edgeCount);
    const m = culler.index.queryEdges(view, eo);
    return {
      view, boxes: Array.from(bo.subarray(0, n)), edges: Array.from(eo.subarray(0, m)), tier: culler.tierAt(scale),
      nodeHeight: culler.nodeHeight, heat: this.heat, width, height,
    };
  }

  // ---------------------------------------------------------------- frames

  /** Resolves once a frame reflecting everything requested so far has been drawn. */
  nextFrame(): Promise<void> {
    return this.loop.nextFrame();
  }

  /** Something changed: draw on the next animation frame. */
  markDirty(): void {
    this.loop.markDirty();
  }

  /** Draws now, synchronously (used for PNG export, which must read the canvas in the same task). */
  renderNow(): void {
    this.loop.renderNow();
  }

  /** One frame: re-emit draw data if the visible set changed, then render. True while the overlay animates. */
  private draw(): boolean {
    const vp = this.viewport;
    const culler = this.culler;
    const overlay = this.overlay;
    // Keep drawing while a pulse fades.
    if (overlay.animating) overlay.dirty = true;
    if (culler && this.layout) {
      if (culler.update(this.viewRect(), vp.scale.x)) {
        const t0 = performance.now();
        this.camera.reorigin();
        this.rebuild();
        overlay.dirty = true;
        this.stats.rebuildMs = performance.now() - t0;
        this.stats.rebuilds++;
      }
      if (overlay.dirty) overlay.rebuild(this.layout, culler.nodeHeight, this.theme, this.camera.ox, this.camera.oy);
      const px = 1 / vp.scale.x;
      const tier = culler.visible.tier;
      this.frames.setView(px, false, 0);
      this.nodes.setView(px, tier === Tier.Dots, tier === Tier.Dots ? 1.5 : 0);
      this.edges.setView(px, culler.nodeHeight * EDGE_ARROW_MAX);
      overlay.boxes.setView(px, false, 3);
      overlay.edges.setView(px, culler.nodeHeight * 0.5);
    } else if (overlay.dirty) {
      overlay.rebuild(null, 10, this.theme, 0, 0);
    }
    const t0 = performance.now();
    this.drawCounter = 0;
    this.app.render();
    this.stats.drawCalls = this.drawCounter;
    this.stats.renderMs = performance.now() - t0;
    this.stats.frames++;
    this.counter.frameDrawn();
    this.camera.drawn();
    if (this.layout) this.minimap.drawView(this.viewRect());
    return overlay.animating;
  }

  /** Re-emits the draw data of the visible set into the batches. */
  private rebuild(): void {
    const L = this.layout;
    const source = this.source;
    const culler = this.culler;
    if (!L || !source || !culler) return;
    const v = culler.visible;
    this.sink.begin(v.boxCount, edgeCapacityHint(v.tier, v.edgeCount));
    emitView({
      layout: L, source, boxes: v.boxes, boxCount: v.boxCount, edges: v.edges, edgeCount: v.edgeCount, tier: v.tier,
      scale: v.scale, nodeHeight: culler.nodeHeight, theme: this.theme, heat: this.heat, originX: this.camera.ox, originY: this.camera.oy,
    }, this.sink);
    this.sink.commit();
  }

  private resize(): void {
    const r = this.host.getBoundingClientRect();
    const w = Math.max(1, Math.floor(r.width));
    const h = Math.max(1, Math.floor(r.height));
    if (w === this.viewport.screenWidth && h === this.viewport.screenHeight) return;
    const cam = this.getCamera();
    this.app.renderer.resize(w, h);
    this.viewport.resize(w, h);
    this.setCamera(cam);
    this.culler?.invalidate();
    this.markDirty();
  }

  destroy(): void {
    this.loop.stop();
    this.resizeObserver.disconnect();
    this.minimap.destroy();
    this.app.destroy(true, { children: true });
  }
}
