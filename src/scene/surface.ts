// The only optional pixi extension the scene uses: pointer events (pixi-viewport's drag, wheel and pinch). pixi
// would otherwise fetch its whole browser bundle (accessibility, DOM, spritesheets, filters) during init.
import 'pixi.js/events';
import { Application, BrowserAdapter, DOMAdapter, getMaxFragmentPrecision, type ICanvas, Ticker } from 'pixi.js';
import { type Decelerate, Viewport } from 'pixi-viewport';
import type { BackendKind, SceneBackend } from './backend.ts';
import { CanvasBackend } from './canvas-backend.ts';
import type { Theme } from './palette.ts';
import { WebGLBackend } from './webgl-backend.ts';

/** What the user sees when neither WebGL nor a 2D canvas can be used; no stack trace, only what to do. */
export const NO_RENDERER_MESSAGE =
  'Strata cannot draw in this browser: it offers neither WebGL nor a 2D canvas. ' +
  'Allow canvas drawing for this page (a privacy setting or add-on may block it), turn on hardware acceleration, ' +
  'or open Strata in a current Firefox, Chrome, Edge or Safari.';

/** No drawing backend could start. Its message is meant for the user as it stands. */
export class RendererUnavailableError extends Error {
  constructor(readonly causes: string[]) {
    super(NO_RENDERER_MESSAGE);
    this.name = 'RendererUnavailableError';
  }
}

/** One drawing surface: the pixi application (canvas, renderer, pointer events), the camera's viewport, the backend. */
export interface Surface {
  app: Application;
  viewport: Viewport;
  backend: SceneBackend;
}

/**
 * Starts a surface on the first backend that works, in order (WebGL first: it is much faster). Throws
 * RendererUnavailableError when none does.
 */
export async function createSurface(host: HTMLElement, theme: Theme, order: readonly BackendKind[]): Promise<Surface> {
  // pixi probes the GPU's shader precision with a throwaway WebGL context the first time it builds a shader, which
  // its Canvas2D renderer does on its first render too. Asked now, before the page has composited a frame, the
  // probe costs milliseconds; asked later it waits behind the GPU process's frames (long on software GL).
  getMaxFragmentPrecision();
  const causes: string[] = [];
  for (const kind of order) {
    let app: Application | null = null;
    try {
      app = await startApplication(host, theme, kind);
      const viewport = createViewport(app);
      const backend = kind === 'webgl' ? new WebGLBackend(app, viewport) : new CanvasBackend(app, viewport);
      return { app, viewport, backend };
    } catch (err) {
      causes.push(`${kind}: ${err instanceof Error ? err.message : String(err)}`);
      destroySurfaceApp(app);
    }
  }
  throw new RendererUnavailableError(causes);
}

let scratchCanvasesSet = false;

/**
 * Canvases pixi creates for itself (probes, text measuring, tint caches) are read back with getImageData. A
 * GPU-backed 2D canvas makes each readback wait for the GPU process, and the Canvas2D renderer's blend-mode probe
 * runs one as soon as it loads: on a software GPU that wait is about a second, on the path to the first frame. These
 * scratch canvases are CPU-backed; the canvas the scene draws on is made by sceneCanvas.
 */
function useCpuScratchCanvases(): void {
  if (scratchCanvasesSet) return;
  scratchCanvasesSet = true;
  DOMAdapter.set({
    ...BrowserAdapter,
    createCanvas: (width?: number, height?: number): ICanvas => {
      const canvas = BrowserAdapter.createCanvas(width, height) as HTMLCanvasElement;
      const getContext = canvas.getContext.bind(canvas) as (kind: string, options?: object) => RenderingContext | null;
      Object.defineProperty(canvas, 'getContext', {
        value: (kind: string, options?: object) =>
          getContext(kind, kind === '2d' ? { willReadFrequently: true, ...options } : options),
      });
      return canvas as unknown as ICanvas;
    },
  });
}

async function startApplication(host: HTMLElement, theme: Theme, kind: BackendKind): Promise<Application> {
  useCpuScratchCanvases();
  const app = new Application();
  const rect = host.getBoundingClientRect();
  await app.init({
    canvas: sceneCanvas(kind),
    // One kind only: pixi would otherwise fall through to WebGPU, which the batches' GLSL shaders do not target.
    preference: [kind],
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
    // Extensions are imported above, not fetched by pixi at init (one less chunk on the startup path).
    manageImports: false,
  });
  return app;
}

/**
 * The canvas the scene draws on. A Canvas2D one is CPU-backed: a frame is thousands of small paths and glyphs,
 * which the CPU rasteriser draws quickly, and the GPU process stays free for the WebGL start that usually follows
 * the first frames (its synchronous calls wait behind any GPU raster work queued before them).
 */
function sceneCanvas(kind: BackendKind): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  // pixi asks for the same context type later and gets this one, with these settings.
  if (kind === 'canvas') canvas.getContext('2d', { alpha: false, willReadFrequently: true });
  return canvas;
}

/** The fastest a released drag keeps gliding, in screen pixels per millisecond (it glides ~150 ms worth). */
const MAX_FLING_PX_PER_MS = 4;

/** The camera: pixi-viewport supplies drag, pinch, wheel zoom and inertia for either renderer. */
function createViewport(app: Application): Viewport {
  const viewport = new Viewport({
    screenWidth: app.screen.width,
    screenHeight: app.screen.height,
    worldWidth: 1000,
    worldHeight: 1000,
    events: app.renderer.events,
    ticker: Ticker.shared,
    passiveWheel: false,
    disableOnContextMenu: true,
  });
  viewport.isRenderGroup = true;
  viewport.drag({ clampWheel: false }).pinch().wheel({ smooth: false, percent: 0.12 }).decelerate({ friction: 0.9 });
  // pixi-viewport measures the release speed over the pointer moves it handled in the last 100 ms. On a busy
  // page those arrive in a burst a few milliseconds before the release, and a slow drag turns into a fling
  // across the whole graph; a fast real flick is 2-4 px/ms. Runs after the plugins' own pointerup handlers.
  const capFling = () => {
    const fling = viewport.plugins.get('decelerate') as Decelerate | null;
    if (!fling) return;
    if (fling.x) fling.x = Math.max(-MAX_FLING_PX_PER_MS, Math.min(MAX_FLING_PX_PER_MS, fling.x));
    if (fling.y) fling.y = Math.max(-MAX_FLING_PX_PER_MS, Math.min(MAX_FLING_PX_PER_MS, fling.y));
  };
  for (const release of ['pointerup', 'pointerupoutside', 'pointercancel', 'pointerleave'] as const) {
    viewport.on(release, capFling);
  }
  app.stage.addChild(viewport);
  return viewport;
}

/** Tears an application down, tolerating one whose context is already lost or that never finished starting. */
export function destroySurfaceApp(app: Application | null): void {
  if (!app) return;
  const canvas = (app.renderer as { canvas?: HTMLCanvasElement } | undefined)?.canvas;
  try {
    app.destroy(true, { children: true });
  } catch {
    // A lost context can fail on the way out; the canvas is removed below either way.
  }
  canvas?.remove();
}
