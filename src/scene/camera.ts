import type { Decelerate, Viewport } from 'pixi-viewport';
import type { Rect } from '../culling/spatial.ts';
import { BoxKind, type ViewLayout } from '../layout/types.ts';

export interface CameraState {
  /** Layout-space point at the centre of the screen. */
  x: number;
  y: number;
  /** Screen pixels per layout unit. */
  zoom: number;
}

/** A small graph that fits on screen opens at most this much above the readable zoom (not blown up to fill it). */
const OPEN_MAX_OVERZOOM = 1.5;

/**
 * However the view is dragged or flung, this share of the screen (or the whole graph, when it is smaller on
 * screen) stays covered by the graph's extent, so the graph can never be lost off screen.
 */
const KEEP_IN_SIGHT = 0.25;

/** Re-centre draw coordinates once the camera is this many screen pixels from the origin (float32 precision). */
const REORIGIN_PX = 50_000;

/**
 * The camera over the pixi viewport, in layout coordinates. Draw coordinates are layout coordinates minus an
 * origin (`ox`, `oy`) that follows the camera on huge layouts, so float32 vertex math stays exact; everything
 * outside the scene speaks layout coordinates and never sees the origin.
 */
export class Camera {
  ox = 0;
  oy = 0;
  private zoomLimits = { min: 1e-9, max: 1e9 };
  private lastX = NaN;
  private lastY = NaN;
  private lastS = NaN;
  /** Where the running animation ends (null when none was started here). */
  private target: CameraState | null = null;

  constructor(
    private vp: Viewport,
    private readonly changed: () => void,
  ) {}

  get viewport(): Viewport {
    return this.vp;
  }

  /** Moves the camera onto another viewport (a new drawing surface), showing `cam` (read before the old one went). */
  attach(viewport: Viewport, cam: CameraState): void {
    this.vp = viewport;
    this.ox = 0;
    this.oy = 0;
    this.lastX = Number.NaN;
    this.set(cam);
  }

  get(): CameraState {
    const c = this.viewport.center;
    return { x: c.x + this.ox, y: c.y + this.oy, zoom: this.viewport.scale.x };
  }

  set(cam: Partial<CameraState>, animate = 0): void {
    const cur = this.get();
    const zoom = this.clampScale(cam.zoom ?? cur.zoom);
    const x = cam.x ?? cur.x;
    const y = cam.y ?? cur.y;
    this.viewport.plugins.remove('animate');
    this.target = animate > 0 ? { x, y, zoom } : null;
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
    this.changed();
  }

  /** Frames a layout-space rectangle (`exact`: no lower zoom clamp beyond the limits, as for a box). */
  fitRect(b: Rect, animate = 0, margin = 0.06, exact = true): void {
    const w = Math.max(1e-6, b.maxX - b.minX);
    const h = Math.max(1e-6, b.maxY - b.minY);
    const sw = this.viewport.screenWidth;
    const sh = this.viewport.screenHeight;
    const zoom = Math.min(sw / (w * (1 + 2 * margin)), sh / (h * (1 + 2 * margin)));
    this.set(
      { x: (b.minX + b.maxX) / 2, y: (b.minY + b.maxY) / 2, zoom: exact ? zoom : Math.max(zoom, 1e-9) },
      animate,
    );
  }

  /**
   * The opening view of a model: the whole graph when it fits at a zoom where op boxes show their full detail,
   * else 100 % (or the zoom that makes a typical box `readablePx` tall, if larger) on the top of the graph, where
   * its inputs are, as Netron opens. The minimap shows the rest; `fit` shows everything.
   */
  openView(L: ViewLayout, b: Rect, nodeHeight: number, readablePx: number, margin = 0.06): void {
    const w = Math.max(1e-6, b.maxX - b.minX);
    const h = Math.max(1e-6, b.maxY - b.minY);
    const sw = this.viewport.screenWidth;
    const sh = this.viewport.screenHeight;
    const fitZoom = Math.min(sw / (w * (1 + 2 * margin)), sh / (h * (1 + 2 * margin)));
    const readable = Math.max(1, readablePx / Math.max(1e-6, nodeHeight));
    if (fitZoom >= readable) {
      this.set({
        x: (b.minX + b.maxX) / 2,
        y: (b.minY + b.maxY) / 2,
        zoom: Math.min(fitZoom, readable * OPEN_MAX_OVERZOOM),
      });
      return;
    }
    const zoom = readable;
    const pad = (sh * margin) / zoom;
    // Horizontally: the whole width when it fits, else the first box of the top row (the first input).
    let x = (b.minX + b.maxX) / 2;
    if (w * zoom > sw) {
      let top = -1;
      for (let i = 0; i < L.boxCount; i++) {
        if (L.boxKind[i] === BoxKind.Frame) continue;
        if (
          top < 0 ||
          L.boxY[i] < L.boxY[top] - 1 ||
          (Math.abs(L.boxY[i] - L.boxY[top]) <= 1 && L.boxX[i] < L.boxX[top])
        )
          top = i;
      }
      if (top >= 0) x = Math.max(b.minX + sw / (2 * zoom), L.boxX[top] + L.boxW[top] / 2);
    }
    this.set({ x, y: b.minY - pad + sh / (2 * zoom), zoom });
  }

  /**
   * Zooms about the screen centre. Presses compose: while an earlier zoom still animates, this one starts from
   * where that one was going, so three quick presses of `+` zoom 1.5³ and none is lost.
   */
  zoomBy(factor: number, animate = 0): void {
    const from = this.animationTarget() ?? this.get();
    this.set({ x: from.x, y: from.y, zoom: from.zoom * factor }, animate);
  }

  /** The end of the camera animation in flight, or null when the camera is still. */
  animationTarget(): CameraState | null {
    if (!this.viewport.plugins.get('animate')) this.target = null;
    return this.target;
  }

  /** Centres a box, zooming in so it is comfortably readable if it is too small on screen. */
  focusBox(L: ViewLayout, nodeHeight: number, box: number, animate = 0): void {
    const cx = L.boxX[box] + L.boxW[box] / 2;
    const cy = L.boxY[box] + L.boxH[box] / 2;
    let zoom = this.viewport.scale.x;
    const nodeScreen = nodeHeight * zoom;
    if (L.boxKind[box] === BoxKind.Node) {
      if (nodeScreen < 30 || nodeScreen > 120) zoom = 44 / nodeHeight;
    } else {
      const fitZoom = Math.min(
        this.viewport.screenWidth / (L.boxW[box] * 1.2),
        this.viewport.screenHeight / (L.boxH[box] * 1.2),
      );
      zoom = Math.min(fitZoom, 60 / nodeHeight);
    }
    this.set({ x: cx, y: cy, zoom }, animate);
  }

  /**
   * Centres the view on (x, y) as far as the content allows: the view never leaves the content's extent, and an
   * axis on which the whole content already fits stays centred on it (a minimap click then moves nothing).
   */
  centreWithin(x: number, y: number, content: Rect | undefined): void {
    const v = this.viewRect();
    const clampAxis = (c: number, lo: number, hi: number, size: number) =>
      size >= hi - lo ? (lo + hi) / 2 : Math.max(lo + size / 2, Math.min(hi - size / 2, c));
    const cx = content ? clampAxis(x, content.minX, content.maxX, v.maxX - v.minX) : x;
    const cy = content ? clampAxis(y, content.minY, content.maxY, v.maxY - v.minY) : y;
    this.viewport.plugins.remove('animate');
    this.target = null;
    this.viewport.moveCenter(cx - this.ox, cy - this.oy);
  }

  /**
   * Pulls the view back where a drag or a fling took the content (nearly) off screen, and stops the fling on
   * that axis. Returns whether it moved the view. Camera animations are left alone: they end on content.
   */
  keepInSight(content: Rect | undefined): boolean {
    const vp = this.viewport;
    if (!content || vp.plugins.get('animate')) return false;
    const a = this.toScreen(content.minX, content.minY);
    const b = this.toScreen(content.maxX, content.maxY);
    const dx = shiftIntoSight(a.sx, b.sx, vp.screenWidth);
    const dy = shiftIntoSight(a.sy, b.sy, vp.screenHeight);
    if (dx === 0 && dy === 0) return false;
    vp.x += dx;
    vp.y += dy;
    const fling = vp.plugins.get('decelerate') as Decelerate | null;
    if (fling && dx !== 0) fling.x = 0;
    if (fling && dy !== 0) fling.y = 0;
    return true;
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

  /** Places the camera so layout point (x, y) shows at screen point (sx, sy), keeping the zoom. */
  pin(x: number, y: number, sx: number, sy: number): void {
    const s = this.viewport.scale.x;
    this.viewport.x = sx - (x - this.ox) * s;
    this.viewport.y = sy - (y - this.oy) * s;
  }

  /** A new model's extent: the world size and the zoom range (from a quarter of "fit" to readable labels). */
  setBounds(b: Rect, nodeHeight: number): void {
    this.viewport.worldWidth = b.maxX - b.minX;
    this.viewport.worldHeight = b.maxY - b.minY;
    this.updateZoomLimits(b, nodeHeight);
  }

  private updateZoomLimits(b: Rect, nodeHeight: number): void {
    const vp = this.viewport;
    const fitZoom = Math.min(
      vp.screenWidth / Math.max(1e-6, b.maxX - b.minX),
      vp.screenHeight / Math.max(1e-6, b.maxY - b.minY),
    );
    const min = Math.min(fitZoom * 0.25, 0.05);
    const max = Math.max(fitZoom * 4, 320 / nodeHeight);
    this.zoomLimits = { min, max };
    vp.plugins.remove('clamp-zoom');
    vp.clampZoom({ minScale: min, maxScale: max });
  }

  /** Whether the viewport moved since the last drawn frame (pan, zoom, animation, inertia). */
  moved(): boolean {
    const vp = this.viewport;
    return vp.x !== this.lastX || vp.y !== this.lastY || vp.scale.x !== this.lastS;
  }

  /** Records the viewport transform a frame was drawn with. */
  drawn(): void {
    const vp = this.viewport;
    this.lastX = vp.x;
    this.lastY = vp.y;
    this.lastS = vp.scale.x;
  }

  /**
   * Keeps draw coordinates small near the camera so float32 vertex math stays exact on huge layouts. Returns
   * whether the origin moved (draw data must then be rebuilt, which the caller is about to do anyway).
   */
  reorigin(): boolean {
    const cam = this.get();
    const s = this.viewport.scale.x;
    if ((Math.abs(cam.x - this.ox) + Math.abs(cam.y - this.oy)) * s < REORIGIN_PX) return false;
    if (this.viewport.plugins.get('animate')) return false;
    const nx = Math.round(cam.x);
    const ny = Math.round(cam.y);
    this.viewport.x += (nx - this.ox) * s;
    this.viewport.y += (ny - this.oy) * s;
    this.ox = nx;
    this.oy = ny;
    this.lastX = this.viewport.x;
    this.lastY = this.viewport.y;
    return true;
  }

  private clampScale(s: number): number {
    const z = this.zoomLimits;
    return Math.max(z.min, Math.min(z.max, s));
  }
}

/** How far to move content spanning [lo, hi] screen pixels so it covers enough of a `screen`-pixel axis. */
function shiftIntoSight(lo: number, hi: number, screen: number): number {
  const keep = Math.min(hi - lo, screen * KEEP_IN_SIGHT);
  if (hi < keep) return keep - hi;
  if (lo > screen - keep) return screen - keep - lo;
  return 0;
}
