import { groupDiffCounts, type GroupDiffCounts } from '../diff/groups.ts';
import { NodeStatus, type ModelDiff } from '../diff/types.ts';
import type { ModelView } from './model.ts';

/** One difference in the change list, in the order `n` / `p` walk them. */
export interface ChangeEntry {
  kind: 'added' | 'changed' | 'removed';
  /** The A node (-1 for added nodes). */
  nodeA: number;
  /** The B node shown for it: the node itself, or for a removed node its ghost's anchor (-1: none). */
  nodeB: number;
  /** `Op name` of the node (A's for removed nodes). */
  label: string;
  /** Readable reasons of a changed pair. */
  what: string[];
}

/** Counts of `window.strata.state().diff` (DESIGN.md contract 2). */
export interface DiffSummary {
  added: number;
  removed: number;
  changed: number;
  matched: number;
}

/**
 * A comparison as the viewer holds it: model A (the baseline, kept on the main thread for names and properties),
 * model B (the one shown), the diff from the decode worker, per-group counts for the badges, and the change list.
 */
export class Comparison {
  readonly groups: GroupDiffCounts;
  readonly entries: ChangeEntry[];
  /** Index into `entries` of the change last navigated to, -1 before any. */
  cursor = -1;
  private readonly changeOfB = new Map<number, number>();

  constructor(
    readonly a: ModelView,
    readonly b: ModelView,
    readonly diff: ModelDiff,
    readonly timings: Record<string, number>,
  ) {
    this.groups = groupDiffCounts(diff, a.hierarchy, b.hierarchy);
    diff.changes.forEach((c, i) => this.changeOfB.set(c.nodeB, i));
    this.entries = changeList(a, b, diff);
  }

  get summary(): DiffSummary {
    const c = this.diff.counts;
    return { added: c.added, removed: c.removed, changed: c.changed, matched: c.matched };
  }

  /** The reasons a B node's pair is changed ([] when it is not). */
  whatOf(nodeB: number): string[] {
    const i = this.changeOfB.get(nodeB);
    return i === undefined ? [] : this.diff.changes[i].what;
  }

  /** Moves the cursor `step` entries on (wrapping) and returns the entry, or null when nothing differs. */
  step(step: 1 | -1): ChangeEntry | null {
    const n = this.entries.length;
    if (n === 0) return null;
    this.cursor = this.cursor < 0 ? (step > 0 ? 0 : n - 1) : (this.cursor + step + n) % n;
    return this.entries[this.cursor];
  }
}

/**
 * Every added, changed and removed node, ordered by B's node order (B's dataflow order for most formats), a removed
 * node right after the B node its ghost is drawn beside; removed nodes with no anchor come last.
 */
function changeList(a: ModelView, b: ModelView, diff: ModelDiff): ChangeEntry[] {
  const keyed: { key: number; entry: ChangeEntry }[] = [];
  const label = (m: ModelView, n: number) => `${m.nodeOp(n)} ${m.nodeTitle(n)}`;
  for (const n of diff.added)
    keyed.push({ key: n * 2, entry: { kind: 'added', nodeA: -1, nodeB: n, label: label(b, n), what: [] } });
  for (const c of diff.changes)
    keyed.push({
      key: c.nodeB * 2,
      entry: { kind: 'changed', nodeA: c.nodeA, nodeB: c.nodeB, label: label(b, c.nodeB), what: c.what },
    });
  const last = b.ir.nodeCount * 2 + 2;
  for (const n of diff.removed) {
    const anchor = diff.ghostAnchorA[n];
    keyed.push({
      key: anchor >= 0 ? anchor * 2 + 1 : last,
      entry: { kind: 'removed', nodeA: n, nodeB: anchor, label: label(a, n), what: [] },
    });
  }
  keyed.sort((x, y) => x.key - y.key);
  return keyed.map((k) => k.entry);
}

/** Whether a B node is added, changed or unchanged. */
export function statusOfB(diff: ModelDiff, node: number): 'added' | 'changed' | 'unchanged' {
  const s = diff.statusB[node];
  return s === NodeStatus.Added ? 'added' : s === NodeStatus.Changed ? 'changed' : 'unchanged';
}
