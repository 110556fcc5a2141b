import * as Comlink from 'comlink';
import type { Hierarchy } from '../graph/hierarchy/types.ts';
import type { GraphIR } from '../graph/ir.ts';
import type { ViewLayout } from '../layout/types.ts';
import { inputName, type DecodeApi, type DecodeChannel, type ModelInput, type OpenPlan } from '../decode/api.ts';
import type { DiffApi } from '../diff/api.ts';
import type { ModelDiff } from '../diff/types.ts';
import { registerIRTransfer } from '../workers/ir-transfer.ts';
import { releaseGarbageSoon } from '../workers/release-garbage.ts';
import type { LayoutWorkerApi, OpenedView, OpenPhase } from '../layout/api.ts';
import { BoxContent } from './box-content.ts';

export interface WorkerFactories {
  decode(): Worker;
  layout(): Worker;
}

/**
 * The two workers behind the viewer. Kept apart from the renderer so the entry chunk can start a model load
 * (fetch, decode, hierarchy, first layout) while pixi.js is still downloading and initialising.
 */
registerIRTransfer();

/** The decode worker's surface: decoding and the diff engine, both next to the open models. */
export type DecodeWorkerApi = DecodeApi & DiffApi & DecodeChannel;

/** A worker and its comlink remote. */
interface LayoutWorker {
  worker: Worker;
  remote: Comlink.Remote<LayoutWorkerApi>;
  /** Rejects when this worker is replaced, so a wait on it ends (see restartLayout). */
  replaced: Promise<never>;
  replace(): void;
}

export class WorkerPool {
  readonly decode: Comlink.Remote<DecodeWorkerApi>;
  private layoutWorker: LayoutWorker;

  constructor(private readonly factories: WorkerFactories) {
    this.decode = Comlink.wrap<DecodeWorkerApi>(factories.decode());
    this.layoutWorker = this.startLayout();
  }

  get layout(): Comlink.Remote<LayoutWorkerApi> {
    return this.layoutWorker.remote;
  }

  /** Rejects when the current layout worker is replaced: race it with a wait on that worker. */
  get layoutReplaced(): Promise<never> {
    return this.layoutWorker.replaced;
  }

  /** Replaces the layout worker (the only way to stop a layout in flight). */
  restartLayout(): void {
    const old = this.layoutWorker;
    old.remote[Comlink.releaseProxy]();
    old.worker.terminate();
    old.replace();
    this.layoutWorker = this.startLayout();
  }

  /**
   * A layout worker, joined to the decode worker by a MessageChannel: the decode worker sends it the models it
   * decodes for their first view without a hop through this thread (see OpenPlan).
   */
  private startLayout(): LayoutWorker {
    const worker = this.factories.layout();
    const remote = Comlink.wrap<LayoutWorkerApi>(worker);
    const channel = new MessageChannel();
    void this.decode.connectLayout(Comlink.transfer(channel.port1, [channel.port1]));
    void remote.connectDecode(Comlink.transfer(channel.port2, [channel.port2]));
    let replace!: () => void;
    const replaced = new Promise<never>((_, reject) => {
      replace = () => reject(new Error('the layout worker was restarted'));
    });
    replaced.catch(() => undefined);
    return { worker, remote, replaced, replace };
  }
}

/**
 * ELK time for the opening layout: none. Small graphs open fully expanded, which means many groups to lay out at
 * once, and a cold ELK's first call alone took 7.8 s on gpt-tiny here; the fast layered layout takes ~50 ms for
 * all 41 groups, so the first frame comes sooner than it used to. ELK loads after the first view has been handed
 * over (layout/open-view.ts) and serves later expansions.
 */
const OPEN_ELK_BUDGET_MS = 0;

export interface Loaded {
  fileName: string;
  ir: GraphIR;
  hierarchy: Hierarchy;
  layout: ViewLayout;
  expanded: number[];
  /** What operator boxes list (folded constants, rows). */
  boxes: BoxContent;
  /** performance.now() when the load started, and when the page held everything its first frame needs. */
  startedAt: number;
  layoutAt: number;
  timings: LoadTimings;
  /** Set when the model was opened as side B of a comparison with the model open before. */
  diff?: ModelDiff;
}

/**
 * Where an open's time went, in ms, phase after phase (they add up to `startedAt` → `layoutAt`). The pipeline
 * runs in the workers: decode worker → layout worker directly, the page only collects the results.
 */
export interface LoadTimings {
  /** Load start → the model is decoded in the decode worker (worker startup, reading, decoding). */
  decodeMs: number;
  /** → its box rows (folded constants, row counts) are built there. */
  boxRowsMs: number;
  /** → the layout worker has the hierarchy (includes the hop between the workers). */
  hierarchyMs: number;
  /** → the opening view is laid out. */
  layoutMs: number;
  /**
   * → the page holds the layout, the IR and the box rows: time the results waited for the main thread (busy
   * starting the renderer) and for the transfers.
   */
  handoffMs: number;
  /** Comparisons: the diff engine (run in the decode worker once B's IR is on the page, beside the layout). */
  diffMs?: number;
}

/** Bytes read of the file so far, while it is being read. */
export interface BytesRead {
  read: number;
  total: number;
}

export type ProgressReport = (stage: string, fraction: number, bytes?: BytesRead) => void;

/** The part of the progress bar that reading the file fills. */
const READ_SHARE = 0.7;

/** Tickets name opens across the workers (see OpenPlan); increasing per page. */
let lastTicket = 0;

/**
 * Decode, group and lay out a model for its first view. The decode worker hands the model straight to the layout
 * worker (OpenPlan); this thread asks for the three results (IR, box rows, first view) and takes them in whatever
 * order they come, so a main thread busy starting the renderer holds up none of the work. Returns null when
 * `current()` turns false (superseded or cancelled); decode errors are thrown with the decoder's message.
 */
export async function loadModel(
  pool: WorkerPool,
  input: ModelInput,
  report: ProgressReport,
  current: () => boolean,
  compare = false,
): Promise<Loaded | null> {
  const t0 = performance.now();
  const fileName = inputName(input);
  const plan: OpenPlan = { ticket: ++lastTicket, fold: true, elkBudgetMs: OPEN_ELK_BUDGET_MS };
  // Reports from two workers arrive on two ports: never let a late one move the bar back (an unknown fraction, -1,
  // only comes from reading).
  let shown = 0;
  const step: ProgressReport = (stage, fraction, bytes) => {
    if (!current() || (fraction >= 0 ? fraction < shown : shown >= READ_SHARE)) return;
    shown = Math.max(shown, fraction);
    report(stage, fraction, bytes);
  };
  // The decode worker is asked first: every step before this message (the progress bar, the layout worker's
  // request) would delay the read that starts the whole pipeline.
  const decoded: Promise<GraphIR> = pool.decode[compare ? 'openComparison' : 'open'](
    input,
    Comlink.proxy((read: number, total: number) => {
      step(`Reading ${fileName}`, total > 0 ? READ_SHARE * (read / total) : -1, { read, total });
    }),
    plan,
  );
  step(`Reading ${fileName}`, 0);
  // The layout worker takes the model and the page's request for its view in either order (OpenViews).
  const view = Promise.race([
    pool.layout.openedView(
      plan.ticket,
      Comlink.proxy((phase: OpenPhase, nodes: number) => step(...openStage(phase, nodes))),
    ),
    pool.layoutReplaced,
  ]);
  view.catch(() => undefined); // an early return (decode error, cancel) leaves it unawaited
  const ir = await decoded;
  if (!current()) return null;
  // While the layout is still at work: the message that brought the IR holds a serialized copy of its strings.
  releaseGarbageSoon(ir.nodeCount);
  // Built for the layout already (kept for this call in the decode worker), so this is a transfer, not work.
  const boxes = loadBoxContent(pool, plan.fold);
  let diff: Promise<{ diff: ModelDiff; ms: number }> | undefined;
  if (compare) {
    // Off the main thread: the engine runs in the decode worker, where both models are open.
    // Grouping may have been reported already: the comparison then takes over the bar where it stands.
    step(`Comparing ${ir.nodeCount.toLocaleString('en-US')} nodes`, Math.max(0.72, shown));
    const td = performance.now();
    diff = pool.decode.compare().then((d) => ({ diff: d, ms: round(performance.now() - td) }));
  }
  const [opened, content, compared] = await Promise.all([view, boxes, diff]);
  if (!current()) return null;
  const tDone = performance.now();
  return {
    fileName,
    ir,
    hierarchy: opened.hierarchy,
    layout: opened.layout,
    expanded: Array.from(opened.expanded),
    boxes: content,
    startedAt: t0,
    layoutAt: tDone,
    diff: compared?.diff,
    timings: { ...pipelineTimings(opened, t0, tDone), diffMs: compared?.ms },
  };
}

function openStage(phase: OpenPhase, nodes: number): [string, number] {
  return phase === 'grouping' ? [`Grouping ${nodes.toLocaleString('en-US')} nodes`, 0.75] : ['Laying out', 0.85];
}

/** The workers' marks (epoch ms) placed on this thread's clock, as phase durations. */
function pipelineTimings(view: OpenedView, startedAt: number, doneAt: number): LoadTimings {
  const m = view.marks;
  const onPage = (epoch: number) => epoch - performance.timeOrigin;
  return {
    decodeMs: round(onPage(m.decoded) - startedAt),
    boxRowsMs: round(m.boxRows - m.decoded),
    hierarchyMs: round(m.grouped - m.boxRows),
    layoutMs: round(m.laidOut - m.grouped),
    handoffMs: round(doneAt - onPage(m.laidOut)),
  };
}

/** Box rows of the open model, with constants folded into their consumers or shown as nodes. */
export async function loadBoxContent(pool: WorkerPool, fold: boolean): Promise<BoxContent> {
  return new BoxContent(await pool.decode.boxRows(fold), fold);
}

/** A load started before the viewer existed (from `?url=` in the entry chunk). */
export class EarlyLoad {
  readonly promise: Promise<Loaded | null>;
  progress: { stage: string; fraction: number; bytes?: BytesRead } = { stage: '', fraction: 0 };
  cancelled = false;
  private listener: ProgressReport | null = null;

  constructor(
    pool: WorkerPool,
    readonly input: ModelInput,
  ) {
    this.promise = loadModel(
      pool,
      input,
      (stage, fraction, bytes) => {
        this.progress = { stage, fraction, bytes };
        this.listener?.(stage, fraction, bytes);
      },
      () => !this.cancelled,
    );
    // Errors are reported when the viewer adopts the load; never leave them unhandled meanwhile.
    this.promise.catch(() => {});
  }

  /** Routes progress to the viewer (and replays the latest report). */
  listen(fn: ProgressReport): void {
    this.listener = fn;
    if (this.progress.stage) fn(this.progress.stage, this.progress.fraction, this.progress.bytes);
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
