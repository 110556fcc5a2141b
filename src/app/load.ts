import * as Comlink from 'comlink';
import type { Hierarchy } from '../graph/hierarchy/types.ts';
import type { GraphIR } from '../graph/ir.ts';
import type { ViewLayout } from '../layout/types.ts';
import type { DecodeApi, ModelInput } from '../decode/api.ts';
import { registerIRTransfer } from '../workers/ir-transfer.ts';
import type { LayoutApi } from '../layout/api.ts';
import { initialExpansion } from './model.ts';

export interface WorkerFactories {
  decode(): Worker;
  layout(): Worker;
}

/**
 * The two workers behind the viewer. Kept apart from the renderer so the entry chunk can start a model load
 * (fetch, decode, hierarchy, first layout) while pixi.js is still downloading and initialising.
 */
registerIRTransfer();

export class WorkerPool {
  readonly decode: Comlink.Remote<DecodeApi>;
  private layoutWorker: Worker;
  private layoutRemote: Comlink.Remote<LayoutApi>;

  constructor(private readonly factories: WorkerFactories) {
    this.decode = Comlink.wrap<DecodeApi>(factories.decode());
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

export interface Loaded {
  fileName: string;
  ir: GraphIR;
  hierarchy: Hierarchy;
  layout: ViewLayout;
  expanded: number[];
  /** performance.now() when the load started and when the first layout arrived. */
  startedAt: number;
  layoutAt: number;
  timings: { decodeMs: number; hierarchyMs: number; layoutMs: number };
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
export async function loadModel(pool: WorkerPool, input: ModelInput, report: ProgressReport, current: () => boolean): Promise<Loaded | null> {
  const t0 = performance.now();
  const fileName = inputName(input);
  report(`Reading ${fileName}`, 0);
  const ir: GraphIR = await pool.decode.open(
    input,
    Comlink.proxy((read: number, total: number) => {
      if (current()) report(`Reading ${fileName}`, total > 0 ? 0.7 * (read / total) : -1, { read, total });
    }),
  );
  if (!current()) return null;
  const t1 = performance.now();
  report(`Grouping ${ir.nodeCount.toLocaleString('en-US')} nodes`, 0.75);
  // Copied, not transferred (see ir-transfer.ts): the main thread keeps its IR for labels, search and properties.
  const hierarchy: Hierarchy = await pool.layout.group(ir);
  if (!current()) return null;
  const t2 = performance.now();
  report('Laying out', 0.85);
  const expanded = initialExpansion(hierarchy);
  const layout = await pool.layout.layout(Uint32Array.from(expanded));
  if (!current()) return null;
  const t3 = performance.now();
  return {
    fileName, ir, hierarchy, layout, expanded, startedAt: t0, layoutAt: t3,
    timings: { decodeMs: round(t1 - t0), hierarchyMs: round(t2 - t1), layoutMs: round(t3 - t2) },
  };
}

/** A load started before the viewer existed (from `?url=` in the entry chunk). */
export class EarlyLoad {
  readonly promise: Promise<Loaded | null>;
  progress: { stage: string; fraction: number; bytes?: BytesRead } = { stage: '', fraction: 0 };
  cancelled = false;
  private listener: ProgressReport | null = null;

  constructor(pool: WorkerPool, readonly input: ModelInput) {
    this.promise = loadModel(pool, input, (stage, fraction, bytes) => {
      this.progress = { stage, fraction, bytes };
      this.listener?.(stage, fraction, bytes);
    }, () => !this.cancelled);
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
