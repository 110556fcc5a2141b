import type { CameraState } from '../scene/camera.ts';
import type { ColorMode } from '../ui/colour-modes.ts';
import type { ModelInput } from '../decode/api.ts';
import { idleState, type StrataState } from './controller.ts';
import type { SearchMatch } from './model.ts';

/** `window.strata`: the automation / embedding surface. Outside checks and embedders rely on it: keep it stable. */
export interface StrataApi {
  state(): StrataState;
  open(url: string): Promise<StrataState>;
  expandAll(): Promise<StrataState>;
  collapseAll(): Promise<StrataState>;
  expand(groupPath: string): Promise<StrataState>;
  select(name: string): Promise<{ node: number; name: string; op: string } | null>;
  search(q: string): SearchMatch[];
  camera(c?: Partial<CameraState>): Promise<CameraState>;
  fit(): Promise<CameraState>;
  /** Colours the graph by op category (default), parameters, FLOPs or runtime (needs a loaded profile). */
  colorBy(mode: ColorMode): Promise<StrataState>;
  /** Fetches an ONNX Runtime profile (chrome-trace JSON) and maps it onto the open model. */
  loadProfile(url: string): Promise<StrataState>;
  /** Constants as nodes of their own (true) or folded into their consumers' boxes as rows (false, the default). */
  showConstants(on: boolean): Promise<StrataState>;
  /** Where a node's box is on screen (CSS pixels) and the rows it lists; null when it has no box in this view. */
  nodeBox(name: string): { x: number; y: number; w: number; h: number; title: string; rows: string[] } | null;
  /**
   * Compares the open model (A) with the model at `urlB`: shows B coloured by the diff; `state().diff` then holds
   * `{added, removed, changed, matched}`.
   */
  compare(urlB: string): Promise<StrataState>;
}

declare global {
  interface Window {
    strata: StrataApi;
  }
}

/** What the API drives: the app's Controller (a fake in tests). */
export interface AutomatedController {
  readonly model: {
    findNode(name: string): number;
    nodeTitle(node: number): string;
    nodeOp(node: number): string;
  } | null;
  readonly scene: {
    setCamera(c: Partial<CameraState>): void;
    getCamera(): CameraState;
    fit(): void;
    nextFrame(): Promise<void>;
  };
  state(): StrataState;
  whenOpened(): Promise<void>;
  open(input: ModelInput): Promise<void>;
  compare(input: ModelInput): Promise<void>;
  expandAll(): Promise<void>;
  collapseAll(): Promise<void>;
  expandPath(path: string): Promise<void>;
  selectNode(node: number, focus: boolean, animate: number): Promise<void>;
  search(q: string): SearchMatch[];
  setFoldConstants(fold: boolean): Promise<void>;
  nodeBox(node: number): { x: number; y: number; w: number; h: number; title: string; rows: string[] } | null;
}

/** The profiling of the open model (app/profiling.ts). */
export interface AutomatedProfiling {
  readonly model: unknown;
  whenAnalyzed(): Promise<void>;
  colorBy(mode: ColorMode): void;
  loadProfile(text: string, fileName: string): unknown;
}

export interface AutomationOptions {
  /** Resolves URLs given to `open` and `loadProfile`. */
  baseUrl: string;
  fetch(url: string): Promise<{ ok: boolean; status: number; text(): Promise<string> }>;
}

/**
 * The automation API, built before the renderer exists: `state()` answers at once (idle), and every other call
 * waits until `start` or `fail` is called, then acts on the controller. Promises resolve once the frame that
 * shows the result is drawn.
 */
export class Automation {
  readonly api: StrataApi;
  private controller: AutomatedController | null = null;
  private profiling: AutomatedProfiling | null = null;
  private startupError: string | null = null;
  private resolveReady!: () => void;
  private readonly ready = new Promise<void>((r) => (this.resolveReady = r));

  constructor(private readonly options: AutomationOptions) {
    this.api = this.build();
  }

  /** The viewer is up: calls waiting for it proceed. */
  start(controller: AutomatedController, profiling: AutomatedProfiling): void {
    this.controller = controller;
    this.profiling = profiling;
    this.resolveReady();
  }

  /** The viewer could not start: `state()` reports the error and calls reject with it. */
  fail(message: string): void {
    this.startupError = message;
    this.resolveReady();
  }

  private async started(): Promise<AutomatedController> {
    await this.ready;
    if (!this.controller) throw new Error(this.startupError ?? 'viewer failed to start');
    return this.controller;
  }

  /** The controller once any open in flight is done (calls made right after `open` act on the new model). */
  private async opened(): Promise<AutomatedController> {
    const c = await this.started();
    await c.whenOpened();
    return c;
  }

  private async modelProfiling(): Promise<{ c: AutomatedController; p: AutomatedProfiling }> {
    const c = await this.opened();
    const p = this.profiling;
    if (!p || !c.model) throw new Error('no model is open');
    return { c, p };
  }

  private build(): StrataApi {
    const url = (u: string) => new URL(u, this.options.baseUrl).href;
    const settle = async (c: AutomatedController, action: Promise<void>): Promise<StrataState> => {
      await action;
      return c.state();
    };
    return {
      state: () =>
        this.controller?.state() ?? idleState(this.startupError ? 'error' : 'idle', this.startupError ?? undefined),
      open: async (u) => {
        const c = await this.started();
        return settle(c, c.open({ kind: 'url', url: url(u) }));
      },
      compare: async (u) => {
        const c = await this.opened();
        return settle(c, c.compare({ kind: 'url', url: url(u) }));
      },
      expandAll: async () => {
        const c = await this.opened();
        return settle(c, c.expandAll());
      },
      collapseAll: async () => {
        const c = await this.opened();
        return settle(c, c.collapseAll());
      },
      expand: async (path) => {
        const c = await this.opened();
        return settle(c, c.expandPath(path));
      },
      select: async (name) => {
        const c = await this.opened();
        const model = c.model;
        if (!model) return null;
        const node = model.findNode(name);
        if (node < 0) return null;
        await c.selectNode(node, true, 0);
        return { node, name: model.nodeTitle(node), op: model.nodeOp(node) };
      },
      search: (q) => this.controller?.search(q) ?? [],
      camera: async (cam) => {
        const c = await this.opened();
        if (cam) c.scene.setCamera(cam);
        await c.scene.nextFrame();
        return c.scene.getCamera();
      },
      fit: async () => {
        const c = await this.opened();
        c.scene.fit();
        await c.scene.nextFrame();
        return c.scene.getCamera();
      },
      showConstants: async (on) => {
        const c = await this.opened();
        return settle(c, c.setFoldConstants(!on));
      },
      nodeBox: (name) => {
        const c = this.controller;
        const node = c?.model?.findNode(name) ?? -1;
        return c && node >= 0 ? c.nodeBox(node) : null;
      },
      colorBy: async (mode) => {
        const { c, p } = await this.modelProfiling();
        if (mode === 'params' || mode === 'flops') await p.whenAnalyzed();
        p.colorBy(mode);
        return settle(c, c.scene.nextFrame());
      },
      loadProfile: async (u) => {
        const { c, p } = await this.modelProfiling();
        const href = url(u);
        const res = await this.options.fetch(href);
        if (!res.ok) throw new Error(`${u}: HTTP ${res.status}`);
        p.loadProfile(await res.text(), decodeURIComponent(href.split(/[?#]/)[0].split('/').pop() || 'profile.json'));
        return settle(c, c.scene.nextFrame());
      },
    };
  }
}
