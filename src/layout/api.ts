import type { GraphIR } from '../graph/ir.ts';
import type { Hierarchy } from '../graph/hierarchy/types.ts';
import type { ViewLayout } from './types.ts';
import type { OpenPlan } from '../decode/api.ts';

/**
 * What the page decided about operator boxes before layout: which nodes are folded into their consumers (no box,
 * see graph/fold.ts) and how many rows each box lists (its height). Null fields mean "none".
 */
export interface NodeBoxes {
  folded: Uint8Array | null;
  rows: Uint16Array | null;
}

/**
 * What the layout worker offers, implemented by `LayoutEngine`; `workers/layout.worker.ts` only exposes it over
 * comlink. The same object runs in Node (tests, benches) without a worker.
 */
export interface LayoutApi {
  /**
   * Builds the hierarchy (the group tree: scopes, structural cuts, chunks) for a model and keeps it for the
   * layouts that follow. Grouping runs here, next to the layout, because every layout reads it.
   */
  group(ir: GraphIR, boxes?: NodeBoxes): Promise<Hierarchy>;
  /**
   * Lays out the view where exactly the listed groups are expanded (the root is always expanded). `elkBudgetMs`
   * overrides the engine's ELK time for this call (the opening view spends less, so the first frame stays fast).
   */
  layout(expanded: Uint32Array, elkBudgetMs?: number): Promise<ViewLayout>;
}

/**
 * Wall-clock marks of one open's pipeline, in epoch milliseconds (`performance.timeOrigin + performance.now()` of
 * the thread that took them), so the page can place them on its own clock.
 */
export interface OpenMarks {
  /** The decode worker has the model decoded. */
  decoded: number;
  /** …and the box row counts the layout sizes boxes by. */
  boxRows: number;
  /** The layout worker received the model. */
  received: number;
  /** The hierarchy is built. */
  grouped: number;
  /** The opening view is laid out. */
  laidOut: number;
}

/** An open's first view, laid out in the layout worker without a round trip through the page. */
export interface OpenedView {
  hierarchy: Hierarchy;
  /** The groups expanded in `layout` (initialExpansion). */
  expanded: Uint32Array;
  layout: ViewLayout;
  marks: OpenMarks;
}

export type OpenPhase = 'grouping' | 'laying out';
export type OpenProgress = (phase: OpenPhase, nodes: number) => void;

/**
 * The layout worker's end of the decode → layout channel (comlink over a MessageChannel port the page hands both
 * workers at startup).
 */
export interface LayoutFeed {
  /**
   * A decoded model for the open `plan.ticket`, with its boxes (`decoded`/`boxRows` are the decode worker's marks).
   * Returns once accepted; grouping and the opening layout follow, for the page to collect with `openedView`.
   */
  openModel(
    ir: GraphIR,
    boxes: NodeBoxes,
    plan: OpenPlan,
    marks: Pick<OpenMarks, 'decoded' | 'boxRows'>,
  ): Promise<void>;
  /** The open failed in the decode worker after decoding (e.g. its box rows): the page's wait ends with `message`. */
  failOpen(ticket: number, message: string): Promise<void>;
}

/** The layout worker's surface for the page: the layout API, the channel to the decode worker and opening views. */
export interface LayoutWorkerApi extends LayoutApi {
  /** The port of the decode → layout channel (the decode worker holds the other end). */
  connectDecode(port: MessagePort): void;
  /**
   * The opening view of `ticket`, once the decode worker's model has been grouped and laid out. Rejects when a
   * later ticket supersedes it. `progress` hears when grouping and layout start.
   */
  openedView(ticket: number, progress?: OpenProgress): Promise<OpenedView>;
  /**
   * Loads ELK and warms it up for later expansions. The opening view never does (it uses the fast layout): the
   * page calls this once its first frame is on screen, so the 1.5 MB compile does not compete with that frame.
   */
  warmUp(): Promise<void>;
}
