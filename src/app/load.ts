import * as Comlink from 'comlink';
import type { Hierarchy } from '../graph/hierarchy/types.ts';
import type { GraphIR } from '../graph/ir.ts';
import type { ViewLayout } from '../layout/types.ts';
import type { DecodeApi, ModelInput } from '../decode/api.ts';
import type { DiffApi } from '../diff/api.ts';
import type { ModelDiff } from '../diff/types.ts';
import { registerIRTransfer } from '../workers/ir-transfer.ts';
import type { LayoutApi } from '../layout/api.ts';
import { operatorCount } from '../graph/operator-count.ts';
import { initialExpansion, OPEN_BOX_BUDGET } from './model.ts';
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
export type DecodeWorkerApi = DecodeApi & DiffApi;

export class WorkerPool {
  readonly decode: Comlink.Remote<DecodeWorkerApi>;
  private layoutWorker: Worker;
  private layoutRemote: Comlink.Remote<LayoutApi>;

  constructor(private readonly factories: WorkerFactories) {
    this.decode = Comlink.wrap<DecodeWorkerApi>(factories.decode());
    this.layoutWorker = factories.layout();
    this.layoutRemote = Comlink.wrap<LayoutApi>(this.layoutWorker);
  }

  get layout(): Comlink.Remote<LayoutApi> {
    return this.layoutRemote;
  }

  /** Replaces the layout worker (the only way to stop a layout in flight). */
  restartLayout(): void {
    this.layoutRemote[Comlink.releaseProxy]();
    this.layoutWorker.terminate();
    this.layoutWorker = this.factories.layout();
    this.layoutRemote = Comlink.wrap<LayoutApi>(this.layoutWorker);
  }
}

/**
 * ELK time for the opening layout: none. Small graphs open fully expanded, which means many groups to lay out at
 * once, and a cold ELK's first call alone took 7.8 s on gpt-tiny here; the fast layered layout takes ~50 ms for
 * all 41 groups, so the first frame comes sooner than it used to. ELK warms up afterwards for later expansions.
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
  /** performance.now() when the load started and when the first layout arrived. */
  startedAt: number;
  layoutAt: number;
  timings: { decodeMs: number; boxRowsMs: number; hierarchyMs: number; layoutMs: number; diffMs?: number };
  /** Set when the model was opened as side B of a comparison with the model open before. */
  diff?: ModelDiff;
}

/** Bytes read of the file so far, while it is being read. */
export interface BytesRead {
  read: number;
  total: number;
}

export type ProgressReport = (stage: string, fraction: number, bytes?: BytesRead) => void;

export function inputName(input: ModelInput): string {
  if (input.kind === 'blob') return input.name;
  const path = input.url.split(/[?#]/)[0];
  try {
    return decodeURIComponent(path.split('/').pop() || input.url);
  } catch {
    return path.split('/').pop() || input.url;
  }
}

/**
 * Decode, group and lay out a model for its first view. Returns null when `current()` turns false (superseded
 * or cancelled); decode errors are thrown with the decoder's message.
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
  report(`Reading ${fileName}`, 0);
  const ir: GraphIR = await pool.decode[compare ? 'openComparison' : 'open'](
    input,
    Comlink.proxy((read: number, total: number) => {
      if (current()) report(`Reading ${fileName}`, total > 0 ? 0.7 * (read / total) : -1, { read, total });
    }),
  );
  if (!current()) return null;
  let diff: ModelDiff | undefined;
  let diffMs: number | undefined;
  if (compare) {
    // Off the main thread: the engine runs in the decode worker, where both models are open.
    report(`Comparing ${ir.nodeCount.toLocaleString('en-US')} nodes`, 0.72);
    const td = performance.now();
    diff = await pool.decode.compare();
    diffMs = round(performance.now() - td);
    if (!current()) return null;
  }
  const t1 = performance.now();
  report(`Grouping ${ir.nodeCount.toLocaleString('en-US')} nodes`, 0.75);
  // Copied, not transferred (see ir-transfer.ts): the main thread keeps its IR for labels, search and properties.
  const boxes = await loadBoxContent(pool, true);
  if (!current()) return null;
  const tBoxes = performance.now();
  const hierarchy: Hierarchy = await pool.layout.group(ir, boxes.layoutInput());
  if (!current()) return null;
  const t2 = performance.now();
  report('Laying out', 0.85);
  const expanded = initialExpansion(hierarchy, OPEN_BOX_BUDGET, operatorCount(ir));
  const layout = await pool.layout.layout(Uint32Array.from(expanded), OPEN_ELK_BUDGET_MS);
  if (!current()) return null;
  const t3 = performance.now();
  return {
    fileName,
    ir,
    hierarchy,
    layout,
    expanded,
    boxes,
    startedAt: t0,
    layoutAt: t3,
    diff,
    timings: {
      decodeMs: round(t1 - t0 - (diffMs ?? 0)),
      boxRowsMs: round(tBoxes - t1),
      hierarchyMs: round(t2 - tBoxes),
      layoutMs: round(t3 - t2),
      diffMs,
    },
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
