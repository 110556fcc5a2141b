// pixi.js compiles uniform/UBO sync functions with `new Function` unless this is loaded; the page's CSP forbids eval.
import 'pixi.js/unsafe-eval';
import { Application, Container, Ticker, UPDATE_PRIORITY, type WebGLRenderer } from 'pixi.js';
import { Viewport } from 'pixi-viewport';
import { Culler } from '../culling/culler.ts';
import { Tier } from '../culling/lod.ts';
import type { Rect } from '../culling/spatial.ts';
import { BoxKind, type ViewLayout } from '../layout/types.ts';
import { BoxBatch, EdgeBatch } from './batches.ts';
import { TextBatch, fitText, tailText } from './text.ts';
import { Minimap } from './minimap.ts';
import { rgba, type OpCategory, type Theme } from './palette.ts';

/** What the scene needs to know about the model to draw it; supplied by the app, backed by GraphIR + Hierarchy. */
export interface SceneSource {
  nodeOp(node: number): string;
  nodeName(node: number): string;
  nodeCategory(node: number): OpCategory;
  groupLabel(group: number): string;
  /** Operator nodes under the group at any depth. */
  groupSize(group: number): number;
  /** Short text for a drawn edge at full detail (tensor shape), or ''. */
  edgeLabel(layout: ViewLayout, edge: number): string;
}

/**
 * Colour-by-metric overlay: heat colours (0xRRGGBB) per node and per group (groups by their summed metric), and
 * an optional suffix for collapsed group labels (totals). Packed into vertex colours once, on `setHeat`.
 */
export interface SceneHeat {
  node: Uint32Array;
  group: Uint32Array;
  groupSuffix?: (group: number) => string;
}

interface PackedHeat {
  nodeFill: Uint32Array;
  nodeStroke: Uint32Array;
  groupFill: Uint32Array;
  groupStroke: Uint32Array;
  nodeText: Uint32Array;
  groupText: Uint32Array;
  groupSuffix?: (group: number) => string;
}

/** Dark or light text, whichever reads on the heat colour. */
function textOn(rgb: number): number {
  const l = 0.299 * ((rgb >> 16) & 255) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255);
  return rgba(l > 140 ? 0x1f2a3d : 0xffffff, 1);
}

function darken(rgb: number, f: number): number {
  return ((((rgb >> 16) & 255) * f) << 16) | ((((rgb >> 8) & 255) * f) << 8) | ((rgb & 255) * f);
}

function packHeat(h: SceneHeat): PackedHeat {
  const pack = (src: Uint32Array, f: number) => {
    const out = new Uint32Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = rgba(f === 1 ? src[i] : darken(src[i], f), 1);
    return out;
  };
  return {
    nodeFill: pack(h.node, 1), nodeStroke: pack(h.node, 0.6), groupFill: pack(h.group, 1), groupStroke: pack(h.group, 0.6),
    nodeText: h.node.map(textOn), groupText: h.group.map(textOn), groupSuffix: h.groupSuffix,
  };
}

export interface CameraState {
  /** Layout-space point at the centre of the screen. */
  x: number;
  y: number;
  /** Screen pixels per layout unit. */
  zoom: number;
}

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

const DRAW_FUNCTIONS = ['drawElements', 'drawArrays', 'drawElementsInstanced', 'drawArraysInstanced'] as const;
/** Re-centre draw coordinates once the camera is this many screen pixels from the origin (float32 precision). */
const REORIGIN_PX = 50_000;
const PULSE_MS = 650;
/** Edges drawn at most in the dots tier. */
const MAX_DOT_EDGES = 30_000;


/**
 * The pixi side of the viewer: a viewport (render group) holding four batched layers (frames and collapsed
 * groups, edges, operator boxes, labels) plus a highlight layer. Pan and zoom only change the viewport transform
 * and two uniforms; draw data is rebuilt when the culler reports a new visible set or tier.
 */
export class Scene {
  readonly app: Application;
  readonly viewport: Viewport;
  readonly minimap: Minimap;
  readonly glRenderer: string;
  events: SceneEvents = {};

  layout: ViewLayout | null = null;
  source: SceneSource | null = null;
  culler: Culler | null = null;
  theme: Theme;
  hover = -1;
  selected = -1;
  stats: FrameStats = { drawCalls: 0, renderMs: 0, rebuildMs: 0, frames: 0, rebuilds: 0 };
  private heat: PackedHeat | null = null;

  private readonly host: HTMLElement;
  private readonly world = new Container({ label: 'world' });
  private readonly frames = new BoxBatch(256, 'frames');
  private readonly edges = new EdgeBatch(1024, 'edges');
  private readonly nodes = new BoxBatch(1024, 'nodes');
  private readonly labels = new TextBatch();
  private readonly hiEdges = new EdgeBatch(64, 'highlight-edges');
  private readonly hiBoxes = new BoxBatch(8, 'highlight-boxes');
  private selectedEdges: number[] = [];
  /** A box briefly outlined after it changed (expand/collapse), fading out. */
  private pulseBox = -1;
  private pulseStart = 0;
  private ox = 0;
  private oy = 0;
  private dirty = true;
  private overlayDirty = false;
  private lastX = NaN;
  private lastY = NaN;
  private lastS = NaN;
  private waiters: (() => void)[] = [];
  private drawCounter = 0;
  private pointerDown: { x: number; y: number; id: number } | null = null;
  private resizeObserver: ResizeObserver;
  /** Consecutive ticks with nothing to draw; the tickers stop after a few so an idle page burns no CPU. */
  private idleTicks = 0;

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

    const gl = (app.renderer as WebGLRenderer).gl;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    this.glRenderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    // Honest draw-call count: every draw the renderer issues goes through these four entry points.
    const glAny = gl as unknown as Record<string, (...args: unknown[]) => void>;
    for (const name of DRAW_FUNCTIONS) {
      const original = glAny[name];
      if (typeof original !== 'function') continue;
      glAny[name] = (...args: unknown[]) => {
        this.drawCounter++;
        original.apply(gl, args);
      };
    }

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
    this.world.addChild(this.frames.mesh, this.edges.mesh, this.nodes.mesh, this.labels.mesh, this.hiEdges.mesh, this.hiBoxes.mesh);
    this.viewport.addChild(this.world);

    this.minimap = new Minimap(host, theme);
    this.minimap.onNavigate = (x, y) => {
      this.viewport.plugins.remove('animate');
      this.viewport.moveCenter(x - this.ox, y - this.oy);
      this.markDirty();
    };

    Ticker.shared.add(this.tick, this, UPDATE_PRIORITY.LOW);
    for (const type of ['pointerdown', 'pointermove', 'wheel'] as const) {
      app.canvas.addEventListener(type, () => this.wake(), { passive: true });
    }
    this.prime();
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(host);
    this.bindPointer(app.canvas);
  }

  /**
   * Draws one off-screen item of every batch once, so shader compilation and the glyph-atlas upload (slow on
   * SwiftShader: up to a second or more) happen at startup, while the workers decode, not on the first zoom.
   */
  private prime(): void {
    const far = -1e7;
    for (const b of [this.frames, this.nodes, this.hiBoxes]) {
      b.begin();
      b.push(far, far, 1, 1, 0xff000000, 0xff000000, 0, 1);
      b.commit();
    }
    for (const e of [this.edges, this.hiEdges]) {
      e.begin();
      e.segment(far, far, far + 1, far, 0xff000000, 1);
      e.commit();
    }
    this.labels.begin();
    this.labels.add('Strata', far, far, 10, 0xff000000, 0, 0);
    this.labels.commit();
    this.app.render();
    for (const b of [this.frames, this.nodes, this.hiBoxes]) {
      b.begin();
      b.commit();
    }
    for (const e of [this.edges, this.hiEdges]) {
      e.begin();
      e.commit();
    }
    this.labels.begin();
    this.labels.commit();
    this.dirty = true;
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
    if (this.hover >= 0) this.events.hover?.(-1, null);
    this.hover = -1;
    this.pulseBox = -1;
    this.selected = -1;
    this.selectedEdges = [];
    if (!layout || !source) {
      this.culler = null;
      this.frames.begin();
      this.frames.commit();
      this.nodes.begin();
      this.nodes.commit();
      this.edges.begin();
      this.edges.commit();
      this.overlayDirty = true;
      this.minimap.setLayout(null, { minX: 0, minY: 0, maxX: 1, maxY: 1 });
      this.markDirty();
      return;
    }
    this.culler = new Culler(layout);
    this.totals = null;
    const b = this.culler.index.bounds;
    this.viewport.worldWidth = b.maxX - b.minX;
    this.viewport.worldHeight = b.maxY - b.minY;
    this.updateZoomLimits();
    this.minimap.setLayout(layout, b);
    if (camera === 'fit') {
      this.fit();
    } else if (typeof camera === 'object') {
      const box = layout.groupBox[camera.anchorGroup] ?? -1;
      if (anchor && box >= 0) {
        // Keep the group's top-left corner where it was on screen.
        const s = this.viewport.scale.x;
        this.viewport.x = anchor.sx - (layout.boxX[box] - this.ox) * s;
        this.viewport.y = anchor.sy - (layout.boxY[box] - this.oy) * s;
      }
    }
    this.overlayDirty = true;
    this.markDirty();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.app.renderer.background.color = theme.background;
    this.minimap.setTheme(theme);
    this.culler?.invalidate();
    this.overlayDirty = true;
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
    this.pulseBox = box;
    this.pulseStart = performance.now();
    this.overlayDirty = true;
    this.markDirty();
  }

  setHover(box: number): void {
    if (box === this.hover) return;
    this.hover = box;
    this.overlayDirty = true;
    this.markDirty();
  }

  setSelected(box: number): void {
    if (box === this.selected) return;
    this.selected = box;
    this.selectedEdges = [];
    const L = this.layout;
    if (L && box >= 0) {
      for (let e = 0; e < L.edgeCount; e++) if (L.edgeFrom[e] === box || L.edgeTo[e] === box) this.selectedEdges.push(e);
    }
    this.overlayDirty = true;
    this.markDirty();
  }

  // ---------------------------------------------------------------- camera

  getCamera(): CameraState {
    const c = this.viewport.center;
    return { x: c.x + this.ox, y: c.y + this.oy, zoom: this.viewport.scale.x };
  }

  setCamera(cam: Partial<CameraState>, animate = 0): void {
    const cur = this.getCamera();
    const zoom = this.clampScale(cam.zoom ?? cur.zoom);
    const x = cam.x ?? cur.x;
    const y = cam.y ?? cur.y;
    this.viewport.plugins.remove('animate');
    if (animate > 0) {
      this.viewport.animate({
        position: { x: x - this.ox, y: y - this.oy },
        scale: zoom,
        time: animate,
        ease: 'easeInOutSine',
        removeOnInterrupt: true,
      });
    } else {
      this.viewport.setZoom(zoom, true);
      this.viewport.moveCenter(x - this.ox, y - this.oy);
    }
    this.markDirty();
  }

  /** Frames the whole model (or a layout-space rectangle). */
  fit(rect?: Rect, animate = 0, margin = 0.06): void {
    const b = rect ?? this.culler?.index.bounds;
    if (!b) return;
    const w = Math.max(1e-6, b.maxX - b.minX);
    const h = Math.max(1e-6, b.maxY - b.minY);
    const sw = this.viewport.screenWidth;
    const sh = this.viewport.screenHeight;
    const zoom = Math.min(sw / (w * (1 + 2 * margin)), sh / (h * (1 + 2 * margin)));
    this.setCamera({ x: (b.minX + b.maxX) / 2, y: (b.minY + b.maxY) / 2, zoom: rect ? zoom : Math.max(zoom, 1e-9) }, animate);
  }

  /** Zooms about the screen centre. */
  zoomBy(factor: number, animate = 0): void {
    const cam = this.getCamera();
    this.setCamera({ zoom: cam.zoom * factor }, animate);
  }

  /** Centres a box, zooming in so it is comfortably readable if it is too small on screen. */
  focusBox(box: number, animate = 0): void {
    const L = this.layout;
    const culler = this.culler;
    if (!L || !culler || box < 0 || box >= L.boxCount) return;
    const cx = L.boxX[box] + L.boxW[box] / 2;
    const cy = L.boxY[box] + L.boxH[box] / 2;
    let zoom = this.viewport.scale.x;
    const nodeScreen = culler.nodeHeight * zoom;
    if (L.boxKind[box] === BoxKind.Node) {
      if (nodeScreen < 30 || nodeScreen > 120) zoom = 44 / culler.nodeHeight;
    } else {
      const fitZoom = Math.min(this.viewport.screenWidth / (L.boxW[box] * 1.2), this.viewport.screenHeight / (L.boxH[box] * 1.2));
      zoom = Math.min(fitZoom, 60 / culler.nodeHeight);
    }
    this.setCamera({ x: cx, y: cy, zoom }, animate);
  }

  /** The layout-space rectangle on screen. */
  viewRect(): Rect {
    const vp = this.viewport;
    const s = vp.scale.x;
    const minX = -vp.x / s + this.ox;
    const minY = -vp.y / s + this.oy;
    return { minX, minY, maxX: minX + vp.screenWidth / s, maxY: minY + vp.screenHeight / s };
  }

  toScreen(x: number, y: number): { sx: number; sy: number } {
    const vp = this.viewport;
    return { sx: (x - this.ox) * vp.scale.x + vp.x, sy: (y - this.oy) * vp.scale.y + vp.y };
  }

  toLayout(sx: number, sy: number): { x: number; y: number } {
    const vp = this.viewport;
    return { x: (sx - vp.x) / vp.scale.x + this.ox, y: (sy - vp.y) / vp.scale.y + this.oy };
  }

  hitTestClient(clientX: number, clientY: number): number {
    if (!this.culler) return -1;
    const r = this.app.canvas.getBoundingClientRect();
    const p = this.toLayout(clientX - r.left, clientY - r.top);
    return this.culler.index.hitTest(p.x, p.y);
  }

  private visibleCache: { layout: ViewLayout | null; rect: Rect; counts: { nodes: number; ops: number; groups: number } } | null = null;
  private totals: { ops: number; groups: number } | null = null;
  private lastFrameAt = 0;

  /**
   * Operator boxes and collapsed-group boxes that intersect the screen. Exact; cached per view, O(1) when the
   * whole model is on screen. With `allowStale`, a moving camera gets the last answer instead of a new query
   * (the status bar must not spend frame time counting).
   */
  countVisible(allowStale = false): { nodes: number; ops: number; groups: number } {
    const culler = this.culler;
    const L = this.layout;
    if (!culler || !L) return { nodes: 0, ops: 0, groups: 0 };
    const view = this.viewRect();
    const c = this.visibleCache;
    if (c && c.layout === L) {
      const same = c.rect.minX === view.minX && c.rect.minY === view.minY && c.rect.maxX === view.maxX && c.rect.maxY === view.maxY;
      if (same || (allowStale && performance.now() - this.lastFrameAt < 250)) return c.counts;
    }
    const b = culler.index.bounds;
    let ops: number;
    let groups: number;
    if (view.minX <= b.minX && view.minY <= b.minY && view.maxX >= b.maxX && view.maxY >= b.maxY) {
      if (!this.totals || c?.layout !== L) {
        let o = 0;
        let g = 0;
        for (let i = 0; i < L.boxCount; i++) {
          if (L.boxKind[i] === BoxKind.Node) o++;
          else if (L.boxKind[i] === BoxKind.Group) g++;
        }
        this.totals = { ops: o, groups: g };
      }
      ops = this.totals.ops;
      groups = this.totals.groups;
    } else {
      ops = culler.index.countBoxes(view, 1 << BoxKind.Node);
      groups = culler.index.countBoxes(view, 1 << BoxKind.Group);
    }
    const counts = { nodes: ops + groups, ops, groups };
    this.visibleCache = { layout: L, rect: view, counts };
    return counts;
  }

  get tier(): Tier {
    return this.culler?.visible.tier ?? Tier.Dots;
  }

  // ---------------------------------------------------------------- frames

  /**
   * Prepares what later frames need (the label glyph atlas) when the page is idle, so the first zoom into
   * labelled detail does not pay for it; startup does not either.
   */
  warmUp(): void {
    // The glyph atlas is built with the scene (a few ms); nothing else needs warming yet.
  }

  /** Resolves once a frame reflecting everything requested so far has been drawn. */
  nextFrame(): Promise<void> {
    this.markDirty();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Something changed: draw on the next animation frame. */
  markDirty(): void {
    this.dirty = true;
    this.wake();
  }

  /** Restarts the tickers (stopped while idle): rendering is on demand, never a busy loop. */
  private wake(): void {
    this.idleTicks = 0;
    if (!Ticker.shared.started) Ticker.shared.start();
    if (!Ticker.system.started) Ticker.system.start();
  }

  private sleepIfIdle(): void {
    if (++this.idleTicks < 30) return;
    const plugins = this.viewport.plugins;
    if (plugins.get('animate') || this.pointerDown) return;
    Ticker.shared.stop();
    Ticker.system.stop();
  }

  /** Draws now, synchronously (used for PNG export, which must read the canvas in the same task). */
  renderNow(): void {
    this.dirty = true;
    this.tick();
  }

  private tick(): void {
    const vp = this.viewport;
    const s = vp.scale.x;
    if (vp.x !== this.lastX || vp.y !== this.lastY || s !== this.lastS) this.dirty = true;
    if (!this.dirty && this.waiters.length === 0) {
      this.sleepIfIdle();
      return;
    }
    this.idleTicks = 0;
    if (this.pulseBox >= 0) {
      // Keep drawing while the pulse fades.
      this.overlayDirty = true;
      this.dirty = true;
    }
    const culler = this.culler;
    if (culler && this.layout) {
      const view = this.viewRect();
      if (culler.update(view, s)) {
        const t0 = performance.now();
        this.maybeReorigin();
        this.rebuild();
        this.overlayDirty = true;
        this.stats.rebuildMs = performance.now() - t0;
        this.stats.rebuilds++;
      }
      if (this.overlayDirty) this.rebuildOverlay();
      const px = 1 / vp.scale.x;
      const tier = culler.visible.tier;
      this.frames.setView(px, false, 0);
      this.nodes.setView(px, tier === Tier.Dots, tier === Tier.Dots ? 1.5 : 0);
      this.edges.setView(px, culler.nodeHeight * 0.4);
      this.hiBoxes.setView(px, false, 3);
      this.hiEdges.setView(px, culler.nodeHeight * 0.5);
    } else if (this.overlayDirty) {
      this.rebuildOverlay();
    }
    const t0 = performance.now();
    this.drawCounter = 0;
    this.app.render();
    this.stats.drawCalls = this.drawCounter;
    this.stats.renderMs = performance.now() - t0;
    this.stats.frames++;
    this.lastFrameAt = performance.now();
    this.lastX = vp.x;
    this.lastY = vp.y;
    this.lastS = vp.scale.x;
    this.dirty = false;
    if (this.layout) this.minimap.drawView(this.viewRect());
    const waiters = this.waiters;
    if (waiters.length) {
      this.waiters = [];
      for (const w of waiters) w();
    }
  }

  /** Keeps draw coordinates small near the camera so float32 vertex math stays exact on huge layouts. */
  private maybeReorigin(): void {
    const cam = this.getCamera();
    const s = this.viewport.scale.x;
    if ((Math.abs(cam.x - this.ox) + Math.abs(cam.y - this.oy)) * s < REORIGIN_PX) return;
    if (this.viewport.plugins.get('animate')) return;
    const nx = Math.round(cam.x);
    const ny = Math.round(cam.y);
    this.viewport.x += (nx - this.ox) * s;
    this.viewport.y += (ny - this.oy) * s;
    this.ox = nx;
    this.oy = ny;
    this.lastX = this.viewport.x;
    this.lastY = this.viewport.y;
  }

  private rebuild(): void {
    const L = this.layout;
    const src = this.source;
    const culler = this.culler;
    if (!L || !src || !culler) return;
    const v = culler.visible;
    const th = this.theme;
    const tier = v.tier;
    const scale = v.scale;
    const ox = this.ox;
    const oy = this.oy;
    const nodeH = culler.nodeHeight;
    const frames = this.frames;
    const nodes = this.nodes;
    const labels = this.labels;
    frames.begin();
    nodes.begin(v.boxCount);
    labels.begin();

    const frameFill = rgba(th.frameFill, th.frameFillAlpha);
    const frameStroke = rgba(th.frameStroke, 1);
    const groupFill = rgba(th.groupFill, 1);
    const groupStroke = rgba(th.groupStroke, 1);
    const catFill = th.categoryFill.map((c) => rgba(c, 1));
    const catStroke = th.categoryStroke.map((c) => rgba(c, 1));
    const heat = this.heat;
    const adv = labels.advance;
    const labelNodes = tier >= Tier.OpLabels;
    const full = tier >= Tier.Full;
    const radius = nodeH * 0.16;
    // Dots tier: the culler returns an overview-pyramid level (about one dot per 2-4 pixels), so an overview of
    // 100k nodes costs what the screen can show.
    const dotTier = tier === Tier.Dots;
    const minFramePx = 2 / scale;

    for (let k = 0; k < v.boxCount; k++) {
      const b = v.boxes[k];
      const kind = L.boxKind[b];
      const w = L.boxW[b];
      const h = L.boxH[b];
      if (dotTier && (kind === BoxKind.Node || (kind === BoxKind.Group && (w < minFramePx || h < minFramePx)))) {
        const ref = L.boxRef[b];
        const color = kind === BoxKind.Node
          ? (heat ? heat.nodeFill[ref] : catStroke[src.nodeCategory(ref)])
          : (heat ? heat.groupFill[ref] : groupStroke);
        nodes.push(L.boxX[b] - ox, L.boxY[b] - oy, w, h, color, 0, 0, 0);
        continue;
      }
      // Frames thinner than 2 px show nothing.
      if (kind === BoxKind.Frame && (w < minFramePx || h < minFramePx)) continue;
      const x = L.boxX[b] - ox;
      const y = L.boxY[b] - oy;
      if (kind === BoxKind.Node) {
        const node = L.boxRef[b];
        if (heat) nodes.push(x, y, w, h, heat.nodeFill[node], heat.nodeStroke[node], radius, 1);
        else {
          const cat = src.nodeCategory(node);
          nodes.push(x, y, w, h, catFill[cat], catStroke[cat], radius, 1);
        }
        if (!labelNodes || labels.full) continue;
        const op = src.nodeOp(node);
        if (!full) {
          let fs = h * 0.46;
          const room = w * 0.9;
          if (op.length * fs * adv > room) fs = Math.max(h * 0.3, room / (op.length * adv));
          labels.add(fitText(op, Math.floor(room / (fs * adv))), x + w / 2, y + h / 2, fs, heat ? heat.nodeText[node] : rgba(th.text), 0.5, 0.5);
        } else {
          const room = w * 0.9;
          let fs = h * 0.32;
          if (op.length * fs * adv > room) fs = Math.max(h * 0.22, room / (op.length * adv));
          labels.add(fitText(op, Math.floor(room / (fs * adv))), x + w / 2, y + h * 0.36, fs, heat ? heat.nodeText[node] : rgba(th.text), 0.5, 0.5);
          const nfs = h * 0.2;
          const name = tailText(src.nodeName(node), Math.floor(room / (nfs * adv)));
          labels.add(name, x + w / 2, y + h * 0.72, nfs, heat ? heat.nodeText[node] : rgba(th.textDim), 0.5, 0.5);
        }
      } else if (kind === BoxKind.Group) {
        const g = L.boxRef[b];
        if (heat) frames.push(x, y, w, h, heat.groupFill[g], heat.groupStroke[g], radius * 1.4, 1.5);
        else frames.push(x, y, w, h, groupFill, groupStroke, radius * 1.4, 1.5);
        const sh = h * scale;
        if (sh < 12 || labels.full) continue;
        const room = w * 0.9;
        const suffix = heat?.groupSuffix?.(g) ?? '';
        const twoLines = sh >= 30;
        // Totals go on the second line when there is one, else after the name.
        const label = suffix && !twoLines ? `${src.groupLabel(g)} · ${suffix}` : src.groupLabel(g);
        let fs = Math.min(h * 0.34, nodeH * 0.5);
        if (label.length * fs * adv > room) fs = Math.max(fs * 0.6, room / (label.length * adv));
        labels.add(fitText(label, Math.floor(room / (fs * adv))), x + w / 2, y + h * (twoLines ? 0.38 : 0.5), fs, heat ? heat.groupText[g] : rgba(th.groupText), 0.5, 0.5);
        if (twoLines) {
          const n = src.groupSize(g);
          const count = suffix || `${n.toLocaleString('en-US')} node${n === 1 ? '' : 's'}`;
          const cfs = suffix ? Math.max(fs * 0.45, Math.min(fs * 0.68, room / (count.length * adv))) : fs * 0.68;
          labels.add(fitText(count, Math.floor(room / (cfs * adv))), x + w / 2, y + h * 0.7, cfs, heat ? heat.groupText[g] : rgba(th.textDim), 0.5, 0.5);
        }
      } else {
        frames.push(x, y, w, h, frameFill, frameStroke, radius * 1.6, 1);
        if (labels.full || L.boxRef[b] === 0 && L.boxDepth[b] === 0) continue;
        // Header label in the frame's top-left corner, sized to the layout's node scale.
        // Header label centred in the frame's title bar (about 0.8 node heights tall).
        const fs = nodeH * 0.4;
        if (fs * scale < 7 || w * scale < 50) continue;
        const room = w - fs;
        labels.add(fitText(src.groupLabel(L.boxRef[b]), Math.floor(room / (fs * adv))), x + fs * 0.6, y + nodeH * 0.42, fs, rgba(th.frameText), 0, 0.5);
      }
    }

    const edges = this.edges;
    const pts = L.edgePoints;
    const off = L.edgePointOffsets;
    const dots = tier === Tier.Dots;
    edges.begin(tier >= Tier.OpLabels ? v.edgeCount * 4 : Math.min(v.edgeCount, MAX_DOT_EDGES));
    {
      const alpha = dots ? 0.35 : th.edgeAlpha;
      const color = rgba(th.edge, alpha);
      const routed = tier >= Tier.OpLabels;
      const arrows = tier >= Tier.Boxes;
      for (let k = 0; k < v.edgeCount; k++) {
        const e = v.edges[k];
        // Overview: the pyramid level already dropped edges too short to see; bound the rest, drawn faint.
        if (dots && edges.count >= MAX_DOT_EDGES) break;
        const p0 = off[e];
        const p1 = off[e + 1];
        if (p1 - p0 < 2) continue;
        const weight = L.edgeWeight[e];
        const hw = tier === Tier.Dots ? 0.4 : 0.55 + Math.min(1.8, Math.log2(Math.max(1, weight)) * 0.3);
        if (!routed) {
          const ax = pts[2 * p0] - ox;
          const ay = pts[2 * p0 + 1] - oy;
          const bx = pts[2 * p1 - 2] - ox;
          const by = pts[2 * p1 - 1] - oy;
          edges.segment(ax, ay, bx, by, color, hw);
          if (arrows) edges.arrow(ax, ay, bx, by, color, 6);
        } else {
          for (let p = p0; p + 1 < p1; p++) {
            edges.segment(pts[2 * p] - ox, pts[2 * p + 1] - oy, pts[2 * p + 2] - ox, pts[2 * p + 3] - oy, color, hw);
          }
          edges.arrow(pts[2 * p1 - 4] - ox, pts[2 * p1 - 3] - oy, pts[2 * p1 - 2] - ox, pts[2 * p1 - 1] - oy, color, 8);
          if (full && !labels.full) {
            const text = src.edgeLabel(L, e);
            if (text) {
              // Midpoint of the middle segment.
              const m = p0 + ((p1 - p0 - 1) >> 1);
              const mx = (pts[2 * m] + pts[2 * m + 2]) / 2 - ox;
              const my = (pts[2 * m + 1] + pts[2 * m + 3]) / 2 - oy;
              labels.add(text, mx + nodeH * 0.12, my, nodeH * 0.2, rgba(th.textDim), 0, 0.5);
            }
          }
        }
      }
    }
    frames.commit();
    nodes.commit();
    edges.commit();
    labels.commit();
  }

  private rebuildOverlay(): void {
    this.overlayDirty = false;
    const L = this.layout;
    const hb = this.hiBoxes;
    const he = this.hiEdges;
    hb.begin();
    he.begin();
    if (L) {
      const th = this.theme;
      const ox = this.ox;
      const oy = this.oy;
      const nodeH = this.culler?.nodeHeight ?? 10;
      const sel = rgba(th.selection, 1);
      const pts = L.edgePoints;
      const off = L.edgePointOffsets;
      for (const e of this.selectedEdges) {
        const p0 = off[e];
        const p1 = off[e + 1];
        if (p1 - p0 < 2) continue;
        for (let p = p0; p + 1 < p1; p++) he.segment(pts[2 * p] - ox, pts[2 * p + 1] - oy, pts[2 * p + 2] - ox, pts[2 * p + 3] - oy, sel, 1.4);
        he.arrow(pts[2 * p1 - 4] - ox, pts[2 * p1 - 3] - oy, pts[2 * p1 - 2] - ox, pts[2 * p1 - 1] - oy, sel, 9);
      }
      const outline = (b: number, color: number, px: number) => {
        if (b < 0 || b >= L.boxCount) return;
        const r = nodeH * (L.boxKind[b] === BoxKind.Node ? 0.16 : 0.24);
        hb.push(L.boxX[b] - ox, L.boxY[b] - oy, L.boxW[b], L.boxH[b], 0, rgba(color, 1), r, px);
      };
      if (this.hover !== this.selected && this.hover >= 0 && L.boxKind[this.hover] !== BoxKind.Frame) outline(this.hover, th.hover, 2);
      outline(this.selected, th.selection, 3);
      if (this.pulseBox >= 0) {
        const t = (performance.now() - this.pulseStart) / PULSE_MS;
        const b = this.pulseBox;
        if (t >= 1 || b >= L.boxCount) {
          this.pulseBox = -1;
        } else {
          const r = nodeH * 0.24;
          hb.push(L.boxX[b] - ox, L.boxY[b] - oy, L.boxW[b], L.boxH[b], rgba(th.hover, 0.12 * (1 - t)), rgba(th.hover, 1 - t), r, 3);
        }
      }
    }
    hb.commit();
    he.commit();
  }

  // ---------------------------------------------------------------- input

  private bindPointer(canvas: HTMLCanvasElement): void {
    canvas.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      this.pointerDown = { x: e.clientX, y: e.clientY, id: e.pointerId };
      this.viewport.plugins.remove('animate');
    });
    canvas.addEventListener('pointerup', (e) => {
      const down = this.pointerDown;
      this.pointerDown = null;
      if (!down || down.id !== e.pointerId) return;
      if (Math.hypot(e.clientX - down.x, e.clientY - down.y) > 5) return;
      this.events.click?.(this.hitTestClient(e.clientX, e.clientY), e);
    });
    canvas.addEventListener('dblclick', (e) => {
      this.events.dblclick?.(this.hitTestClient(e.clientX, e.clientY), e);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (e.buttons !== 0) return;
      const box = this.hitTestClient(e.clientX, e.clientY);
      if (box !== this.hover) {
        this.setHover(box);
        this.events.hover?.(box, e);
      } else if (box >= 0) {
        this.events.hover?.(box, e);
      }
    });
    canvas.addEventListener('pointerleave', () => {
      this.setHover(-1);
      this.events.hover?.(-1, null);
    });
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

  private clampScale(s: number): number {
    const z = this.zoomLimits;
    return Math.max(z.min, Math.min(z.max, s));
  }

  private zoomLimits = { min: 1e-9, max: 1e9 };

  private updateZoomLimits(): void {
    const culler = this.culler;
    if (!culler) return;
    const b = culler.index.bounds;
    const fitZoom = Math.min(this.viewport.screenWidth / Math.max(1e-6, b.maxX - b.minX), this.viewport.screenHeight / Math.max(1e-6, b.maxY - b.minY));
    const min = Math.min(fitZoom * 0.25, 0.05);
    const max = Math.max(fitZoom * 4, 320 / culler.nodeHeight);
    this.zoomLimits = { min, max };
    this.viewport.plugins.remove('clamp-zoom');
    this.viewport.clampZoom({ minScale: min, maxScale: max });
  }

  /** Visible items for export: boxes and edges intersecting the screen, in drawing order. */
  exportItems(): { view: Rect; boxes: number[]; edges: number[]; tier: Tier; origin: { x: number; y: number } } | null {
    const culler = this.culler;
    if (!culler || !this.layout) return null;
    const view = this.viewRect();
    const boxes: number[] = [];
    const edges: number[] = [];
    const bo = new Int32Array(this.layout.boxCount);
    const n = culler.index.queryBoxes(view, bo);
    for (let i = 0; i < n; i++) boxes.push(bo[i]);
    const eo = new Int32Array(this.layout.edgeCount);
    const m = culler.index.queryEdges(view, eo);
    for (let i = 0; i < m; i++) edges.push(eo[i]);
    return { view, boxes, edges, tier: culler.tierAt(this.viewport.scale.x), origin: { x: this.ox, y: this.oy } };
  }

  destroy(): void {
    Ticker.shared.remove(this.tick, this);
    this.resizeObserver.disconnect();
    this.minimap.destroy();
    this.app.destroy(true, { children: true });
  }
}
