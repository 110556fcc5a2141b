import type * as Comlink from 'comlink';
import { BoxKind, type ViewLayout } from '../layout/types.ts';
import { TIER_NAMES } from '../culling/lod.ts';
import { isShared } from '../graph/column-buffers.ts';
import type { Scene } from '../scene/scene.ts';
import type { ModelInput } from '../decode/api.ts';
import { Comparison, type DiffSummary } from './comparison.ts';
import { comparisonPaint } from './comparison-paint.ts';
import {
  loadBoxContent,
  loadModel,
  type BytesRead,
  type DecodeWorkerApi,
  type EarlyLoad,
  type Loaded,
  type WorkerPool,
} from './load.ts';
import { ModelView, type SearchMatch, type TensorBoxState } from './model.ts';

export type Status = 'idle' | 'loading' | 'ready' | 'error';

export interface Progress {
  stage: string;
  /** 0..1, or -1 when indeterminate. */
  fraction: number;
  /** While the file is read: bytes read so far and the file size. */
  bytes?: BytesRead;
}

export interface StrataState {
  /** 'moving': a model is open and the camera is still flying to where an action sent it. */
  status: Status | 'moving';
  error?: string;
  /** The decoder's technical line behind `error`, when it was put in other words. */
  errorDetail?: string;
  nodes: number;
  groups: number;
  expanded: number;
  visibleNodes: number;
  drawCalls: number;
  // Extras beyond the contract, for diagnostics and benches.
  visibleOps: number;
  visibleGroups: number;
  boxes: number;
  edges: number;
  tier: string;
  camera: { x: number; y: number; zoom: number };
  selected: string | null;
  file: string | null;
  busy: boolean;
  timings: Record<string, number>;
  renderer: string;
  /** The first frames are drawn with Canvas2D and the intended renderer (WebGL) has not taken over yet. */
  rendererPending: boolean;
  /** Colour-by mode of the graph ('category', 'params', 'flops', 'runtime'). */
  colorMode: string;
  /** The loaded ONNX Runtime profile: nodes with kernel time and mapped kernel ms per run. */
  profile: { mappedNodes: number; totalMs: number } | null;
  /** Structure metrics totals once the analysis finished. */
  metrics: { params: number; flops: number } | null;
  /** Counts of the comparison shown (the open model is B), or null when none is. */
  diff: DiffSummary | null;
  /** The graph's inputs and outputs drawn as tensor boxes (not operators: no count above includes them). */
  tensors: TensorBoxState[];
  /** The open model's columns are shared memory, one copy for every thread (a cross-origin isolated page). */
  sharedColumns: boolean;
}

/** The colour-by side of the state, supplied by the profiling of the open model. */
export type ProfileState = Pick<StrataState, 'colorMode' | 'profile' | 'metrics'>;

/** The state of a viewer with no model open: before the renderer is up, or when it failed to start. */
export function idleState(status: Status, error?: string): StrataState {
  const s: StrataState = {
    status,
    nodes: 0,
    groups: 0,
    expanded: 0,
    visibleNodes: 0,
    drawCalls: 0,
    visibleOps: 0,
    visibleGroups: 0,
    boxes: 0,
    edges: 0,
    tier: 'dots',
    camera: { x: 0, y: 0, zoom: 1 },
    selected: null,
    file: null,
    busy: false,
    timings: {},
    renderer: '',
    rendererPending: error === undefined,
    colorMode: 'category',
    profile: null,
    metrics: null,
    diff: null,
    tensors: [],
    sharedColumns: false,
  };
  if (error !== undefined) s.error = error;
  return s;
}

type Listener = () => void;

/**
 * Application state: the open model, which groups are expanded, the current layout and selection. Talks to the
 * decode and layout workers, hands layouts to the Scene and tells the UI when something changed.
 */
export class Controller {
  status: Status = 'idle';
  /** The failure in the user's words; `errorDetail` is the decoder's technical line behind it. */
  error: string | undefined;
  errorDetail: string | undefined;
  progress: Progress = { stage: '', fraction: 0 };
  model: ModelView | null = null;
  /** The comparison shown (model A against the open model B), or null. */
  comparison: Comparison | null = null;
  layout: ViewLayout | null = null;
  expanded = new Set<number>();
  selectedNode = -1;
  /**
   * The tensor whose properties are shown, or -1: a constant (a row of the selected node's box was clicked) or a
   * graph input or output (its tensor box was clicked).
   */
  selectedValue = -1;
  selectedValueRole: 'constant' | 'input' | 'output' = 'constant';
  busy = false;
  timings: Record<string, number> = {};
  /** Navigation start to a working renderer (set by the viewer). */
  startupMs: number | undefined;
  /** Colour mode, runtime profile and metric totals of the open model, or null before any (set by Profiling). */
  profileState: () => ProfileState | null = () => null;

  private generation = 0;
  private layoutSeq = 0;
  private listeners = new Set<Listener>();
  private openDone: Promise<void> = Promise.resolve();
  private early: EarlyLoad | null = null;

  constructor(
    readonly scene: Scene,
    private readonly pool: WorkerPool,
  ) {}

  get decode(): Comlink.Remote<DecodeWorkerApi> {
    return this.pool.decode;
  }

  onChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }

  // ---------------------------------------------------------------- opening

  /**
   * Opens a model; resolves once the first frame of it (or the error panel) is on screen. `early` adopts a load
   * the entry chunk started before the viewer existed.
   */
  open(input: ModelInput, early?: EarlyLoad): Promise<void> {
    const done = this.doOpen(input, early ?? null, null);
    this.openDone = done;
    return done;
  }

  /**
   * Opens `input` as side B of a comparison with the open model (A) and shows B coloured by the diff; resolves once
   * that frame is drawn. Rejects when no model is open.
   */
  compare(input: ModelInput): Promise<void> {
    const baseline = this.status === 'ready' ? this.model : null;
    if (!baseline) return Promise.reject(new Error('open a model before comparing another with it'));
    const done = this.doOpen(input, null, baseline);
    this.openDone = done;
    return done;
  }

  /** Opens A, then compares B with it (`?url=A&compare=B`, two dropped files). */
  openPair(a: ModelInput, b: ModelInput, early?: EarlyLoad): Promise<void> {
    const gen = this.generation + 1;
    const done = this.doOpen(a, early ?? null, null).then(() => {
      if (gen === this.generation && this.model) return this.doOpen(b, null, this.model);
    });
    this.openDone = done;
    return done;
  }

  /** Re-colours the comparison (after a theme change). */
  repaintComparison(): void {
    if (this.comparison) this.scene.setDiff(comparisonPaint(this.comparison, this.scene.theme));
  }

  private async doOpen(input: ModelInput, early: EarlyLoad | null, baseline: ModelView | null): Promise<void> {
    const gen = ++this.generation;
    const current = () => gen === this.generation;
    // A load started early and not yet adopted is superseded by this one.
    if (this.early && this.early !== early) this.early.cancelled = true;
    this.early = early;
    const t0 = performance.now();
    this.status = 'loading';
    this.error = undefined;
    this.errorDetail = undefined;
    // The open model stays on screen (under the progress panel) until the new one is ready: a failed open keeps it.
    this.timings = this.startupMs !== undefined ? { startupMs: this.startupMs } : {};
    const report = (stage: string, fraction: number, bytes?: BytesRead) => {
      if (current()) this.setProgress(stage, fraction, bytes);
    };
    try {
      let loaded: Loaded | null;
      if (early) {
        early.listen(report);
        loaded = await early.promise;
      } else {
        loaded = await loadModel(this.pool, input, report, current, baseline !== null);
      }
      if (!loaded || !current()) return;
      this.early = null;
      this.timings.openAtMs = round(loaded.startedAt);
      Object.assign(this.timings, loaded.timings);
      this.setProgress('Drawing', 0.97);
      const model = new ModelView(loaded.ir, loaded.hierarchy, loaded.fileName, loaded.boxes);
      this.model = model;
      this.selectedNode = -1;
      this.layout = loaded.layout;
      this.expanded = new Set(loaded.expanded);
      const t3 = performance.now();
      // A comparison opens on the whole model, where its colours show where the differences are.
      this.scene.setLayout(loaded.layout, model, baseline ? 'fit' : 'open');
      this.comparison = null;
      if (baseline && loaded.diff) {
        this.comparison = new Comparison(baseline, model, loaded.diff, {
          diffMs: loaded.timings.diffMs ?? 0,
          engineMs: round(loaded.diff.timings.totalMs),
        });
        this.repaintComparison();
      }
      await this.scene.nextFrame();
      if (!current()) return;
      this.timings.firstFrameMs = round(performance.now() - Math.max(t3, loaded.layoutAt));
      this.timings.totalMs = round(performance.now() - Math.min(t0, loaded.startedAt));
      // Since navigation start: what a user waits from opening the page to the first frame of the model.
      this.timings.readyAtMs = round(performance.now());
      // Only now: ELK's compile in the layout worker would have competed with this first frame for the cores.
      void this.pool.layout.warmUp();
      this.status = 'ready';
      this.emit();
    } catch (err) {
      if (!current()) return;
      this.early = null;
      this.status = 'error';
      [this.error, this.errorDetail] = splitFailure(errorMessage(err));
      this.emit();
      await this.scene.nextFrame();
    }
  }

  /** The error panel was dismissed: back to the model that stayed open, if any. */
  dismissError(): void {
    if (this.status !== 'error') return;
    this.status = this.model ? 'ready' : 'idle';
    this.error = undefined;
    this.errorDetail = undefined;
    this.emit();
  }

  /** Aborts a load in progress: the decode worker stops at its next chunk, the layout worker is replaced. */
  async cancel(): Promise<void> {
    if (this.status !== 'loading') return;
    this.generation++;
    if (this.early) this.early.cancelled = true;
    this.early = null;
    void this.pool.decode.cancel();
    this.pool.restartLayout();
    this.status = 'idle';
    this.model = null;
    this.comparison = null;
    this.layout = null;
    this.scene.setLayout(null, null);
    this.emit();
    await this.scene.nextFrame();
  }

  private setProgress(stage: string, fraction: number, bytes?: BytesRead): void {
    this.progress = { stage, fraction, bytes };
    this.emit();
  }

  /** Waits for an open in flight (automation calls made right after `open` act on the new model). */
  whenOpened(): Promise<void> {
    return this.openDone;
  }

  // ---------------------------------------------------------------- expansion

  /** Lays out with exactly these groups expanded (ancestors implied), then shows it. */
  async setExpanded(groups: Iterable<number>, camera: 'fit' | 'keep' | { anchorGroup: number }): Promise<void> {
    const model = this.model;
    if (!model) return;
    const h = model.hierarchy;
    const want = new Set<number>();
    for (const g of groups) if (g > 0 && g < h.groupCount) want.add(g);
    // Only groups whose ancestors are all expanded are visible as frames; drop the rest.
    const clean: number[] = [];
    for (let g = 1; g < h.groupCount; g++) {
      if (!want.has(g)) continue;
      const p = h.groupParent[g];
      if (p <= 0 || want.has(p)) clean.push(g);
      else want.delete(g);
    }
    const gen = this.generation;
    const seq = ++this.layoutSeq;
    this.busy = true;
    this.emit();
    const t0 = performance.now();
    let layout: ViewLayout;
    try {
      layout = await this.pool.layout.layout(Uint32Array.from(clean));
    } catch (err) {
      if (seq === this.layoutSeq) this.busy = false;
      this.emit();
      throw new Error(`layout failed: ${errorMessage(err)}`);
    }
    if (gen !== this.generation || seq !== this.layoutSeq) return;
    this.timings.relayoutMs = round(performance.now() - t0);
    const selected = this.selectedNode;
    this.layout = layout;
    this.expanded = new Set(clean);
    this.scene.setLayout(layout, model, camera);
    if (typeof camera === 'object') {
      const box = layout.groupBox[camera.anchorGroup] ?? -1;
      if (box >= 0) this.scene.pulse(box);
    }
    this.busy = false;
    if (selected >= 0) this.highlightNode(selected);
    this.emit();
    await this.scene.nextFrame();
  }

  expandAll(): Promise<void> {
    const h = this.model?.hierarchy;
    if (!h) return Promise.resolve();
    const all: number[] = [];
    for (let g = 1; g < h.groupCount; g++) all.push(g);
    return this.setExpanded(all, 'fit');
  }

  collapseAll(): Promise<void> {
    return this.setExpanded([], 'fit');
  }

  /** Expands a group (and its ancestors) by path; rejects for an unknown path. */
  async expandPath(path: string): Promise<void> {
    const model = this.model;
    if (!model) throw new Error('no model is open');
    const g = model.groupOfPath(path);
    if (g < 0) throw new Error(`no group with path "${path}"`);
    const next = new Set(this.expanded);
    for (const a of model.ancestors(g)) next.add(a);
    await this.setExpanded(next, { anchorGroup: g });
  }

  /** Expands a collapsed group or collapses an expanded one, keeping it in place on screen. */
  toggleGroup(group: number): Promise<void> {
    const model = this.model;
    if (!model || group <= 0) return Promise.resolve();
    const next = new Set(this.expanded);
    if (next.has(group)) next.delete(group);
    else for (const a of model.ancestors(group)) next.add(a);
    return this.setExpanded(next, { anchorGroup: group });
  }

  // ---------------------------------------------------------------- selection

  /**
   * Selects a node: expands its ancestors if it is hidden in a collapsed group, centres it (when `focus`) and
   * shows its properties.
   */
  async selectNode(node: number, focus = true, animate = 0): Promise<void> {
    const model = this.model;
    if (!model || node < 0 || node >= model.ir.nodeCount) return;
    if (this.layout && this.layout.nodeBox[node] < 0) {
      const g = model.hierarchy.nodeGroup[node];
      const next = new Set(this.expanded);
      for (const a of model.ancestors(g)) next.add(a);
      await this.setExpanded(next, 'keep');
    }
    this.selectedNode = node;
    this.selectedValue = -1;
    const box = this.highlightNode(node);
    if (focus && box >= 0) this.scene.focusBox(box, animate);
    this.emit();
    await this.scene.nextFrame();
  }

  /** Selects the box that shows a node (its own, or the innermost collapsed group holding it). */
  private highlightNode(node: number): number {
    const L = this.layout;
    const model = this.model;
    if (!L || !model) return -1;
    // A folded constant has no box: the box that lists it stands for it.
    let box = L.nodeBox[model.shownNodeOf(node)];
    if (box < 0) {
      for (let g = model.hierarchy.nodeGroup[node]; g >= 0 && box < 0; g = model.hierarchy.groupParent[g]) {
        const gb = L.groupBox[g];
        if (gb >= 0 && L.boxKind[gb] === BoxKind.Group) box = gb;
        if (g === 0) break;
      }
    }
    this.scene.setSelected(box);
    return box;
  }

  /** A row of a box was clicked: selects the box and shows the constant that row stands for. */
  async selectConstant(node: number, value: number): Promise<void> {
    await this.selectNode(node, false);
    this.selectedValue = value;
    this.selectedValueRole = 'constant';
    this.emit();
  }

  /** A graph input's or output's tensor box was clicked: shows that tensor (no operator is selected). */
  selectTensor(value: number, role: 'input' | 'output'): void {
    this.selectedNode = -1;
    this.scene.setSelected(-1);
    this.selectedValue = value;
    this.selectedValueRole = role;
    this.emit();
  }

  /**
   * Folds constants into their consumers' boxes (the default) or shows them as nodes: the boxes' rows are read
   * again, the hierarchy rebuilt without (or with) the constant nodes, and the same groups stay expanded.
   */
  async setFoldConstants(fold: boolean): Promise<void> {
    const model = this.model;
    if (!model || model.boxes.foldConstants === fold) return;
    const gen = this.generation;
    const boxes = await loadBoxContent(this.pool, fold);
    const hierarchy = await this.pool.layout.group(model.ir, boxes.layoutInput());
    if (gen !== this.generation) return;
    const next = new ModelView(model.ir, hierarchy, model.fileName, boxes);
    const expanded = [...this.expanded].map((g) => next.groupOfPath(model.hierarchy.groupPath[g])).filter((g) => g > 0);
    this.model = next;
    this.selectedNode = -1;
    this.selectedValue = -1;
    await this.setExpanded(expanded, 'keep');
  }

  /** A node's box on screen (CSS pixels, canvas-relative) with its title and rows, or null without a box. */
  nodeBox(node: number): { x: number; y: number; w: number; h: number; title: string; rows: string[] } | null {
    const L = this.layout;
    const model = this.model;
    const box = L && model ? L.nodeBox[node] : -1;
    if (!L || !model || box < 0) return null;
    const rect = this.scene.app.canvas.getBoundingClientRect();
    const a = this.scene.toScreen(L.boxX[box], L.boxY[box]);
    const b = this.scene.toScreen(L.boxX[box] + L.boxW[box], L.boxY[box] + L.boxH[box]);
    const rows = Array.from({ length: model.nodeRowCount(node) }, (_, r) => model.nodeRowText(node, r));
    return {
      x: rect.left + a.sx,
      y: rect.top + a.sy,
      w: b.sx - a.sx,
      h: b.sy - a.sy,
      title: model.nodeBoxTitle(node),
      rows,
    };
  }

  /** Whether the camera is still flying to where an action sent it (tests and headless scenes may have none). */
  private cameraMoving(): boolean {
    const camera = (this.scene as Partial<Scene>).camera;
    return !!camera?.animationTarget();
  }

  clearSelection(): void {
    this.selectedValue = -1;
    this.selectedNode = -1;
    this.scene.setSelected(-1);
    this.emit();
  }

  search(q: string, limit?: number): SearchMatch[] {
    return this.model?.search(q, limit) ?? [];
  }

  // ---------------------------------------------------------------- state

  /** The automation state (`window.strata.state()`). `lite`: for the status bar, may reuse the last visible count while the camera moves. */
  state(lite = false): StrataState {
    const model = this.model;
    const visible = this.scene.countVisible(lite);
    const cam = this.scene.getCamera();
    const s: StrataState = {
      status: this.status,
      nodes: model?.mainNodeCount ?? 0,
      groups: model?.groupCount ?? 0,
      expanded: this.expanded.size,
      visibleNodes: visible.nodes,
      drawCalls: this.scene.stats.drawCalls,
      visibleOps: visible.ops,
      visibleGroups: visible.groups,
      boxes: this.layout?.boxCount ?? 0,
      edges: this.layout?.edgeCount ?? 0,
      tier: TIER_NAMES[this.scene.tier],
      camera: { x: cam.x, y: cam.y, zoom: cam.zoom },
      selected: model && this.selectedNode >= 0 ? model.nodeTitle(this.selectedNode) : null,
      file: model?.fileName ?? null,
      busy: this.busy,
      timings: { ...this.timings },
      renderer: this.scene.glRenderer,
      rendererPending: this.scene.rendererPending,
      colorMode: 'category',
      profile: null,
      metrics: null,
      diff: this.comparison?.summary ?? null,
      tensors: model && this.layout?.tensors ? model.tensorBoxes(this.layout.tensors) : [],
      sharedColumns: model ? isShared(model.ir.nodeOp) : false,
      ...this.profileState(),
    };
    if (this.error !== undefined) s.error = this.error;
    if (this.errorDetail !== undefined) s.errorDetail = this.errorDetail;
    if (s.status === 'ready' && this.cameraMoving()) {
      // A camera flight (search result, double-click, fit) is still under way: not settled until it lands.
      s.status = 'moving';
      s.busy = true;
    }
    return s;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** A worker's failure line is the user's words, then (after a newline) the technical detail. */
export function splitFailure(message: string): [string, string | undefined] {
  const cut = message.indexOf('\n');
  return cut < 0 ? [message, undefined] : [message.slice(0, cut), message.slice(cut + 1)];
}

export function errorMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/^(Error|DecodeError):\s*/, '') || 'unknown error';
}
