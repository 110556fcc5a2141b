// pixi.js compiles uniform/UBO sync functions with `new Function` unless this is loaded; the page's CSP forbids eval.
import 'pixi.js/unsafe-eval';
import type { Application } from 'pixi.js';
import type { Viewport } from 'pixi-viewport';
import { Culler } from '../culling/culler.ts';
import { Tier, TIER_OPLABELS_MAX } from '../culling/lod.ts';
import type { Rect } from '../culling/spatial.ts';
import type { ViewLayout } from '../layout/types.ts';
import type { BackendKind } from './backend.ts';
import { Camera, type CameraState } from './camera.ts';
import { watchContextLoss } from './context-loss.ts';
import { edgeCapacityHint, emitView, type SceneSource } from './draw/emit.ts';
import type { DiffPaint } from './draw/diff-paint.ts';
import { packHeat, type PackedHeat, type SceneHeat } from './draw/heat.ts';
import { PointerInput } from './input.ts';
import { Minimap } from './minimap.ts';
import { HighlightOverlay } from './overlay.ts';
import type { Theme } from './palette.ts';
import { RenderLoop } from './render-loop.ts';
import { createSurface, destroySurfaceApp, RendererUnavailableError, type Surface } from './surface.ts';
import { VisibleCounter, type VisibleCounts } from './visible-count.ts';

export interface SceneEvents {
  click?(box: number, event: PointerEvent): void;
  dblclick?(box: number, event: MouseEvent): void;
  hover?(box: number, event: PointerEvent | null): void;
  /** The drawing backend changed (a lost WebGL context was replaced by Canvas2D). */
  backendChanged?(kind: BackendKind): void;
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
  diff: DiffPaint | null;
  width: number;
  height: number;
}

export interface SceneOptions {
  /** Backends to try for the first frames, in order (default: Canvas2D, then WebGL). */
  backends?: readonly BackendKind[];
  /** The backend upgradeRenderer() moves to (default: WebGL); null: stay on the one that started. */
  upgradeTo?: BackendKind | null;
}

/**
 * The viewer's canvas: a viewport (camera) over the model's layers, drawn by a backend (WebGL batches, or
 * Canvas2D draw lists when WebGL is missing or its context is lost for good). Pan and zoom only change the
 * viewport transform; draw data is re-emitted (`emitView`) when the culler reports a new visible set or tier.
 * The camera, the render loop, pointer input, the overlay and the backends each live in their own module.
 */
export class Scene {
  readonly camera: Camera;
  readonly minimap: Minimap;
  events: SceneEvents = {};

  layout: ViewLayout | null = null;
  source: SceneSource | null = null;
  culler: Culler | null = null;
  theme: Theme;
  stats: FrameStats = { drawCalls: 0, renderMs: 0, rebuildMs: 0, frames: 0, rebuilds: 0 };

  private surface: Surface;
  private heat: PackedHeat | null = null;
  private diff: DiffPaint | null = null;
  /** The element the canvas lives in; it stays when a renderer switch replaces the canvas. */
  readonly host: HTMLElement;
  private readonly overlay: HighlightOverlay;
  private readonly loop: RenderLoop;
  private input: PointerInput;
  private readonly counter = new VisibleCounter();
  private readonly resizeObserver: ResizeObserver;
  /** The WebGL context is lost and not (yet) restored: frames are skipped. */
  private contextLost = false;
  private stopWatchingContext: () => void = () => {};

  /**
   * Starts on Canvas2D unless told otherwise: a 2D canvas is ready in milliseconds, while a WebGL renderer's start
   * makes synchronous calls into the GPU process that wait behind the page's composited frames (a second or more
   * on software GL), so the model's first frame would wait too. upgradeRenderer() then moves to WebGL, which pans
   * and zooms large graphs far faster.
   */
  static async create(host: HTMLElement, theme: Theme, options: SceneOptions = {}): Promise<Scene> {
    const surface = await createSurface(host, theme, options.backends ?? ['canvas', 'webgl']);
    performance.mark('strata:app-init');
    const scene = new Scene(host, surface, theme);
    const target = options.upgradeTo === undefined ? 'webgl' : options.upgradeTo;
    scene.upgradeTo = target !== surface.backend.kind ? target : null;
    return scene;
  }

  /** The backend upgradeRenderer() will move to; null once there, or once it failed to start. */
  private upgradeTo: BackendKind | null = null;
  private upgrading = false;

  /** The scene still runs on its first-frame backend and will move to the one it is meant to run on. */
  get rendererPending(): boolean {
    return this.upgradeTo !== null;
  }

  /** Moves to the intended backend (see create); where it cannot start, the current one simply stays. */
  async upgradeRenderer(): Promise<void> {
    const kind = this.upgradeTo;
    if (!kind || this.upgrading) return;
    this.upgrading = true;
    try {
      await this.switchBackend(kind);
    } catch (err) {
      console.info(`Strata: ${kind} did not start; drawing stays on ${this.backendKind}`, describeFailure(err));
    } finally {
      this.upgradeTo = null;
      this.upgrading = false;
    }
    this.events.backendChanged?.(this.backendKind);
  }

  private constructor(host: HTMLElement, surface: Surface, theme: Theme) {
    this.host = host;
    this.surface = surface;
    this.theme = theme;
    this.overlay = new HighlightOverlay(surface.backend.overlayBoxes, surface.backend.overlayEdges);
    this.camera = new Camera(surface.viewport, () => this.markDirty());
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
    this.input = this.mountCanvas();
    this.surface.backend.prime();
    this.loop.markDirty();
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(host);
  }

  /** The pixi application of the current surface (its canvas is what PNG export reads). */
  get app(): Application {
    return this.surface.app;
  }

  get viewport(): Viewport {
    return this.surface.viewport;
  }

  get backendKind(): BackendKind {
    return this.surface.backend.kind;
  }

  /** The renderer's name for state(): the GPU renderer, or 'Canvas2D'. */
  get glRenderer(): string {
    return this.surface.backend.rendererName;
  }

  /** Puts the current surface's canvas on the page and wires input and context-loss handling to it. */
  private mountCanvas(): PointerInput {
    const canvas = this.surface.app.canvas;
    canvas.classList.add('graph-canvas');
    // Shown from the first frame that draws a model (see draw): an empty canvas looks like the page behind it,
    // and compositing one costs the GPU process a full-size upload (0.3-0.7 s on software GL) that the model's
    // first frame would then wait behind.
    canvas.style.visibility = this.layout ? '' : 'hidden';
    this.host.insertBefore(canvas, this.minimap.canvas);
    for (const type of ['pointerdown', 'pointermove', 'wheel'] as const) {
      canvas.addEventListener(type, () => this.loop.wake(), { passive: true });
    }
    if (this.surface.backend.kind === 'webgl') {
      this.stopWatchingContext = watchContextLoss(canvas, {
        lost: () => {
          this.contextLost = true;
        },
        restored: () => {
          this.contextLost = false;
          this.redrawAll();
        },
        giveUp: () => void this.switchBackend('canvas'),
      });
    } else {
      // A 2D canvas can lose its backing store too (memory pressure); the browser restores it blank.
      canvas.addEventListener('contextrestored', () => this.redrawAll());
    }
    return new PointerInput(canvas, {
      hitTest: (x, y) => this.hitTestClient(x, y),
      pressed: () => this.viewport.plugins.remove('animate'),
      click: (box, e) => this.events.click?.(box, e),
      dblclick: (box, e) => this.events.dblclick?.(box, e),
      hover: (box, e) => this.pointerOver(box, e),
    });
  }

  /**
   * Replaces the drawing surface (a WebGL context that did not come back gives way to Canvas2D), keeping the
   * camera, the model, the selection and the theme.
   */
  private async switchBackend(kind: BackendKind): Promise<void> {
    // The old surface stays in place until the new one exists: state(), input and drawing keep working meanwhile.
    const next = await createSurface(this.host, this.theme, [kind]);
    const cam = this.getCamera();
    const old = this.surface;
    this.stopWatchingContext();
    this.surface = next;
    this.contextLost = false;
    this.overlay.attach(next.backend.overlayBoxes, next.backend.overlayEdges);
    this.camera.attach(next.viewport, cam);
    this.input = this.mountCanvas();
    next.backend.prime();
    if (this.culler) this.camera.setBounds(this.culler.index.bounds, this.culler.nodeHeight);
    this.setCamera(cam);
    this.redrawAll();
    // The new canvas holds a frame before the old one goes: no blank flash between the two.
    this.renderNow();
    old.backend.destroy();
    destroySurfaceApp(old.app);
    this.events.backendChanged?.(kind);
  }

  /** Every layer is rebuilt on the next frame (new GPU resources, a new backend, a new theme). */
  private redrawAll(): void {
    this.culler?.invalidate();
    this.overlay.dirty = true;
    this.markDirty();
  }

  // ---------------------------------------------------------------- model

  /**
   * Shows a new layout. `camera`: 'fit' frames the whole model, 'keep' keeps the camera, or a group id whose box
   * should stay where it was on screen (expand/collapse in place).
   */
  setLayout(
    layout: ViewLayout | null,
    source: SceneSource | null,
    camera: 'fit' | 'open' | 'keep' | { anchorGroup: number } = 'fit',
  ): void {
    performance.mark('strata:set-layout');
    this.markFrame = true;
    let anchor: { sx: number; sy: number } | null = null;
    if (typeof camera === 'object' && this.layout) {
      const old = this.layout.groupBox[camera.anchorGroup] ?? -1;
      if (old >= 0) anchor = this.toScreen(this.layout.boxX[old], this.layout.boxY[old]);
    }
    this.layout = layout;
    // Heat colours are indexed by the model's nodes and groups: another model starts uncoloured.
    if (source !== this.source) {
      this.heat = null;
      this.diff = null;
      this.minimap.setMarks(null);
    }
    this.source = source;
    if (this.overlay.hover >= 0) this.events.hover?.(-1, null);
    this.overlay.reset();
    if (!layout || !source) {
      this.culler = null;
      this.surface.backend.sink.begin(0, 0);
      this.surface.backend.sink.commit();
      this.minimap.setLayout(null, { minX: 0, minY: 0, maxX: 1, maxY: 1 });
      this.markDirty();
      return;
    }
    this.culler = new Culler(layout);
    performance.mark('strata:culler');
    const b = this.culler.index.bounds;
    this.camera.setBounds(b, this.culler.nodeHeight);
    this.minimap.setLayout(layout, b);
    if (camera === 'fit') {
      this.fit();
    } else if (camera === 'open') {
      this.resize();
      this.openView();
    } else if (typeof camera === 'object') {
      const box = layout.groupBox[camera.anchorGroup] ?? -1;
      // Keep the group's top-left corner where it was on screen.
      if (anchor && box >= 0) this.camera.pin(layout.boxX[box], layout.boxY[box], anchor.sx, anchor.sy);
    }
    performance.mark('strata:set-layout-end');
    this.markDirty();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.app.renderer.background.color = theme.background;
    this.minimap.setTheme(theme);
    this.redrawAll();
  }

  /** Colour by a metric (null: by op category). Colours are packed here once; frames only read them. */
  setHeat(heat: SceneHeat | null): void {
    this.heat = heat ? packHeat(heat) : null;
    this.culler?.invalidate();
    this.markDirty();
  }

  /** Shows a comparison on the open model (null: none): diff colours, ghosts of removed nodes, minimap marks. */
  setDiff(diff: DiffPaint | null): void {
    this.diff = diff;
    this.minimap.setMarks(diff && { node: diff.nodeMark, group: diff.groupMark });
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

  /** The graph input or output tensor box (index into the layout's tensor band) under a client point, or -1. */
  tensorAtClient(clientX: number, clientY: number): number {
    const band = this.layout?.tensors;
    if (!band) return -1;
    const p = this.clientToLayout(clientX, clientY);
    for (let t = 0; t < band.count; t++) {
      if (p.x >= band.x[t] && p.x <= band.x[t] + band.w[t] && p.y >= band.y[t] && p.y <= band.y[t] + band.h[t])
        return t;
    }
    return -1;
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
    return this.exportRect(
      this.viewRect(),
      this.viewport.scale.x,
      this.viewport.screenWidth,
      this.viewport.screenHeight,
    );
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
      view,
      boxes: Array.from(bo.subarray(0, n)),
      edges: Array.from(eo.subarray(0, m)),
      tier: culler.tierAt(scale),
      nodeHeight: culler.nodeHeight,
      heat: this.heat,
      diff: this.diff,
      width,
      height,
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

  /** The next frame is the first of a new layout: its phases get performance marks (startup profiling). */
  private markFrame = false;

  /** One frame: re-emit draw data if the visible set changed, then render. True while the overlay animates. */
  private draw(): boolean {
    const marking = this.markFrame;
    this.markFrame = false;
    if (marking) performance.mark('strata:frame-start');
    const culler = this.culler;
    const overlay = this.overlay;
    // A lost WebGL context draws nothing until it is restored or replaced.
    if (this.contextLost) return false;
    // Keep drawing while a pulse fades.
    if (overlay.animating) overlay.dirty = true;
    // A drag or fling that took the graph off screen is pulled back before this frame's visible set is found.
    if (culler) this.camera.keepInSight(culler.index.bounds);
    const scale = this.viewport.scale.x;
    if (culler && this.layout) {
      if (culler.update(this.viewRect(), scale)) {
        const t0 = performance.now();
        this.camera.reorigin();
        this.rebuild();
        overlay.dirty = true;
        this.stats.rebuildMs = performance.now() - t0;
        this.stats.rebuilds++;
      }
      if (overlay.dirty) overlay.rebuild(this.layout, culler.nodeHeight, this.theme, this.camera.ox, this.camera.oy);
    } else if (overlay.dirty) {
      overlay.rebuild(null, 10, this.theme, 0, 0);
    }
    if (marking) performance.mark('strata:frame-rebuilt');
    const t0 = performance.now();
    const view = culler && this.layout ? { scale, tier: culler.visible.tier, nodeHeight: culler.nodeHeight } : null;
    this.stats.drawCalls = this.surface.backend.render(view);
    this.stats.renderMs = performance.now() - t0;
    this.stats.frames++;
    // The first frame with a model shows the canvas (hidden while empty; see mountCanvas).
    if (view && this.surface.app.canvas.style.visibility) this.surface.app.canvas.style.visibility = '';
    this.counter.frameDrawn();
    this.camera.drawn();
    if (this.layout) this.minimap.drawView(this.viewRect());
    if (marking) performance.mark('strata:frame-end');
    return overlay.animating;
  }

  /** Re-emits the draw data of the visible set into the backend's layers. */
  private rebuild(): void {
    const L = this.layout;
    const source = this.source;
    const culler = this.culler;
    if (!L || !source || !culler) return;
    const v = culler.visible;
    const sink = this.surface.backend.sink;
    sink.begin(v.boxCount, edgeCapacityHint(v.tier, v.edgeCount));
    emitView(
      {
        layout: L,
        source,
        boxes: v.boxes,
        boxCount: v.boxCount,
        edges: v.edges,
        edgeCount: v.edgeCount,
        tier: v.tier,
        scale: v.scale,
        nodeHeight: culler.nodeHeight,
        theme: this.theme,
        heat: this.heat,
        diff: this.diff,
        originX: this.camera.ox,
        originY: this.camera.oy,
      },
      sink,
    );
    sink.commit();
  }

  /** The camera the opening view chose, while nobody has moved it: a resize then re-applies the opening view. */
  private opened: CameraState | null = null;

  /** Readable from the first frame: full detail (names, shapes) needs a box at least this tall on screen. */
  private openView(): void {
    if (!this.layout || !this.culler) return;
    this.camera.openView(this.layout, this.culler.index.bounds, this.culler.nodeHeight, TIER_OPLABELS_MAX + 4);
    this.opened = this.getCamera();
  }

  private resize(): void {
    const r = this.host.getBoundingClientRect();
    const w = Math.max(1, Math.floor(r.width));
    const h = Math.max(1, Math.floor(r.height));
    if (w === this.viewport.screenWidth && h === this.viewport.screenHeight) return;
    const cam = this.getCamera();
    const o = this.opened;
    const untouched = o !== null && o.x === cam.x && o.y === cam.y && o.zoom === cam.zoom;
    this.app.renderer.resize(w, h);
    this.viewport.resize(w, h);
    if (untouched) this.openView();
    else this.setCamera(cam);
    this.culler?.invalidate();
    this.markDirty();
  }

  destroy(): void {
    this.loop.stop();
    this.stopWatchingContext();
    this.resizeObserver.disconnect();
    this.minimap.destroy();
    this.surface.backend.destroy();
    destroySurfaceApp(this.surface.app);
  }
}

function describeFailure(err: unknown): unknown {
  return err instanceof RendererUnavailableError ? err.causes : err;
}
