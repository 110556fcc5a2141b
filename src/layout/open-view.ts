import type { OpenPlan } from '../decode/api.ts';
import type { GraphIR } from '../graph/ir.ts';
import { operatorCount } from '../graph/operator-count.ts';
import type { NodeBoxes, OpenedView, OpenMarks, OpenPhase, OpenProgress } from './api.ts';
import type { LayoutEngine } from './engine.ts';
import { initialExpansion, OPEN_BOX_BUDGET } from './initial-expansion.ts';
import { releaseColumns } from './release-columns.ts';

/** Now on a clock every thread shares (epoch ms), so marks taken in different workers compare. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

interface PendingOpen {
  ticket: number;
  promise: Promise<OpenedView>;
  resolve(view: OpenedView): void;
  reject(err: Error): void;
  progress?: OpenProgress;
  phase?: { phase: OpenPhase; nodes: number };
}

/**
 * The opening views of the layout worker: the decode worker delivers a model (`deliver`), the page asks for its
 * view (`opened`), in either order. Only the latest open (highest ticket) is kept; an older one's wait is
 * rejected and a late delivery for it is dropped. Runs in Node too (tests) over a plain LayoutEngine.
 */
export class OpenViews {
  private current: PendingOpen | null = null;

  constructor(private readonly engine: LayoutEngine) {}

  /** The view of `ticket`, resolved when its model has been grouped and laid out. */
  opened(ticket: number, progress?: OpenProgress): Promise<OpenedView> {
    const open = this.adopt(ticket);
    if (!open) return Promise.reject(new Error(`open ${ticket} was superseded`));
    open.progress = progress;
    if (open.phase) progress?.(open.phase.phase, open.phase.nodes);
    // ELK is not loaded here: the page asks for it (`warmUp`) once its first frame is drawn, since its compile
    // would compete with that frame for the cores.
    return open.promise;
  }

  /**
   * Groups `ir` and lays out its opening view for `plan.ticket`. Resolves when the work is done (or dropped);
   * the outcome goes to the page through `opened`. Takes `ir` over: its column buffers are detached once done.
   */
  async deliver(ir: GraphIR, boxes: NodeBoxes, plan: OpenPlan, marks: Pick<OpenMarks, 'decoded' | 'boxRows'>) {
    const open = this.adopt(plan.ticket);
    if (!open) return;
    const received = epochNow();
    this.engine.holdWarmUp = true;
    try {
      this.report(open, 'grouping', ir.nodeCount);
      const hierarchy = await this.engine.group(ir, boxes);
      const grouped = epochNow();
      if (open !== this.current) return;
      this.report(open, 'laying out', ir.nodeCount);
      const expanded = Uint32Array.from(initialExpansion(hierarchy, OPEN_BOX_BUDGET, operatorCount(ir)));
      const layout = await this.engine.layout(expanded, plan.elkBudgetMs);
      open.resolve({ hierarchy, expanded, layout, marks: { ...marks, received, grouped, laidOut: epochNow() } });
    } catch (err) {
      open.reject(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.engine.holdWarmUp = false;
      // The engine keeps only what it derived from the model (see LayoutEngine): this copy was for grouping.
      releaseColumns(ir);
    }
  }

  /** The open failed before its model got here. */
  fail(ticket: number, message: string): void {
    this.adopt(ticket)?.reject(new Error(message));
  }

  /** The pending open for `ticket` (made when first heard of), or null when a later one superseded it. */
  private adopt(ticket: number): PendingOpen | null {
    const cur = this.current;
    if (cur && cur.ticket === ticket) return cur;
    if (cur && cur.ticket > ticket) return null;
    cur?.reject(new Error(`open ${cur.ticket} was superseded`));
    let resolve!: (view: OpenedView) => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<OpenedView>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A superseded open nobody waited for must not surface as an unhandled rejection.
    promise.catch(() => undefined);
    this.current = { ticket, promise, resolve, reject };
    return this.current;
  }

  private report(open: PendingOpen, phase: OpenPhase, nodes: number): void {
    open.phase = { phase, nodes };
    void open.progress?.(phase, nodes);
  }
}
