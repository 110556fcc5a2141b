import type { Hierarchy } from '../graph/hierarchy/types.ts';
import type { GraphIR } from '../graph/ir.ts';
import { modelsEqual } from './diff.ts';
import { groupCountsByPath, groupDiffCounts, type GroupDiffCounts } from './groups.ts';
import { displayName } from './side-index.ts';
import type { DiffTotals } from './totals.ts';
import type { DiffCounts, ModelDiff } from './types.ts';

/**
 * The `strata diff --json` object (DESIGN.md contract 3) and its text rendering. Node names are the file's names;
 * an unnamed node shows as `Op#id` (its node index in the decoded model).
 */
export interface DiffReport {
  a: { file: string; format: string; nodes: number };
  b: { file: string; format: string; nodes: number };
  /** No node added, removed, changed or renamed. */
  equal: boolean;
  /** Node pairs. */
  matched: number;
  /** B node names. */
  added: string[];
  /** A node names. */
  removed: string[];
  changed: { a: string; b: string; what: string[]; kinds: string[] }[];
  renamed: { a: string; b: string }[];
  /** Counts per group of B's hierarchy (path → counts over the group's subtree; '' is the whole model). */
  groups: Record<string, { added: number; removed: number; changed: number }>;
  totals: DiffTotals;
  counts: DiffCounts;
  notes: string[];
  timings: { decodeMs: number; diffMs: number; totalsMs: number };
}

export interface ReportInput {
  fileA: string;
  fileB: string;
  irA: GraphIR;
  irB: GraphIR;
  formatA: string;
  formatB: string;
  diff: ModelDiff;
  hierarchyA: Hierarchy;
  hierarchyB: Hierarchy;
  totals: DiffTotals;
  timings: DiffReport['timings'];
}

export function buildDiffReport(r: ReportInput): DiffReport {
  const { diff, irA, irB } = r;
  const groups = groupDiffCounts(diff, r.hierarchyA, r.hierarchyB);
  const notes = [...diff.notes];
  if (r.totals.error) notes.push(`totals incomplete: ${r.totals.error}`);
  return {
    a: { file: r.fileA, format: r.formatA, nodes: irA.nodeCount },
    b: { file: r.fileB, format: r.formatB, nodes: irB.nodeCount },
    equal: modelsEqual(diff),
    matched: diff.counts.matched,
    added: Array.from(diff.added, (n) => displayName(irB, n)),
    removed: Array.from(diff.removed, (n) => displayName(irA, n)),
    changed: diff.changes.map((c) => ({ a: c.a, b: c.b, what: c.what, kinds: c.kinds })),
    renamed: diff.renames.map((c) => ({ a: c.a, b: c.b })),
    groups: groupCountsByPath(r.hierarchyB, groups),
    totals: r.totals,
    counts: diff.counts,
    notes,
    timings: r.timings,
  };
}

/** Lines shown per group in the text report. */
const ITEMS_PER_GROUP = 4;
const GROUPS_SHOWN = 12;

/** Summary, totals, then the groups with differences (innermost groups, most differences first) and their first items. */
export function formatDiffReport(report: DiffReport, r: ReportInput): string {
  const c = report.counts;
  const lines: string[] = [];
  lines.push(`A  ${report.a.file}  (${report.a.format}, ${c.nodesA.toLocaleString('en-US')} nodes)`);
  lines.push(`B  ${report.b.file}  (${report.b.format}, ${c.nodesB.toLocaleString('en-US')} nodes)`);
  lines.push('');
  lines.push(
    report.equal
      ? '  the models are equal'
      : `  matched ${c.matched}  (unchanged ${c.unchanged}, changed ${c.changed}, renamed ${c.renamed})   added ${c.added}   removed ${c.removed}`,
  );
  lines.push(`  pairs found by name ${c.byName}, by neighbours ${c.byNeighbours}, by structure ${c.bySignature}`);
  const t = report.totals;
  const row = (label: string, x: number, y: number) =>
    `  ${label.padEnd(11)} ${si(x).padStart(9)} → ${si(y).padStart(9)}  (${y - x >= 0 ? '+' : ''}${si(y - x)})`;
  lines.push(row('parameters', t.a.parameters, t.b.parameters));
  lines.push(row('FLOPs', t.a.flops, t.b.flops));
  for (const note of report.notes) lines.push(`  note: ${note}`);
  if (!report.equal) lines.push('', ...groupSections(r, groupDiffCounts(r.diff, r.hierarchyA, r.hierarchyB)));
  if (report.renamed.length) {
    lines.push('', `  renamed (${report.renamed.length})`);
    for (const x of report.renamed.slice(0, ITEMS_PER_GROUP)) lines.push(`      ${x.a} → ${x.b}`);
    if (report.renamed.length > ITEMS_PER_GROUP) lines.push(`      … ${report.renamed.length - ITEMS_PER_GROUP} more`);
  }
  lines.push('');
  lines.push(
    `  decoded in ${report.timings.decodeMs} ms, diffed in ${report.timings.diffMs} ms, totals in ${report.timings.totalsMs} ms`,
  );
  return lines.join('\n');
}

function groupSections(r: ReportInput, groups: GroupDiffCounts): string[] {
  const { diff, irA, irB, hierarchyB: h } = r;
  type Item = string;
  const items = new Map<number, Item[]>();
  const total = new Map<number, number>();
  const add = (g: number, item: Item) => {
    total.set(g, (total.get(g) ?? 0) + 1);
    const list = items.get(g) ?? [];
    if (list.length < ITEMS_PER_GROUP) list.push(item);
    items.set(g, list);
  };
  for (const ch of diff.changes)
    add(h.nodeGroup[ch.nodeB], `~ ${ch.b}${ch.a !== ch.b ? ` (was ${ch.a})` : ''}: ${ch.what.join('; ')}`);
  for (const n of diff.added) add(h.nodeGroup[n], `+ ${displayName(irB, n)}  ${irB.strings.at(irB.nodeOp[n])}`);
  for (const n of diff.removed)
    add(groups.removedGroupOfA[n], `- ${displayName(irA, n)}  ${irA.strings.at(irA.nodeOp[n])}`);
  const order = [...total.keys()].sort((x, y) => total.get(y)! - total.get(x)! || x - y);
  const out: string[] = [];
  for (const g of order.slice(0, GROUPS_SHOWN)) {
    const path = h.groupPath[g] || '(top level)';
    out.push(
      `  ${path}   (${total.get(g)} here; +${groups.added[g]} -${groups.removed[g]} ~${groups.changed[g]} with subgroups)`,
    );
    for (const item of items.get(g)!) out.push(`      ${item.length > 160 ? `${item.slice(0, 159)}…` : item}`);
    const more = total.get(g)! - items.get(g)!.length;
    if (more > 0) out.push(`      … ${more} more`);
  }
  if (order.length > GROUPS_SHOWN)
    out.push(`  … ${order.length - GROUPS_SHOWN} more groups with differences (--json lists everything)`);
  return out;
}

/** 1234567 → `1.23 M`. */
function si(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const units = ['', 'k', 'M', 'G', 'T', 'P'];
  let u = 0;
  let v = Math.abs(n);
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${n < 0 ? '-' : ''}${u === 0 ? String(Math.round(v)) : v.toPrecision(3)}${units[u] ? ` ${units[u]}` : ''}`;
}
