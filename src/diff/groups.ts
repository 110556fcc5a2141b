import type { Hierarchy } from '../graph/hierarchy/types.ts';
import { NodeStatus, type ModelDiff } from './types.ts';

/**
 * Difference counts per group of B's hierarchy (subtree sums, so a collapsed group's badge counts everything
 * inside). Removed nodes are A's: each is counted in the B group with its A group's path, else in the group of its
 * ghost anchor, else in the nearest B group matching one of its A ancestors' paths, else at the root.
 */
export interface GroupDiffCounts {
  added: Uint32Array;
  removed: Uint32Array;
  changed: Uint32Array;
  /** B group that shows each removed A node (-1 for A nodes that are not removed). */
  removedGroupOfA: Int32Array;
}

export function groupDiffCounts(diff: ModelDiff, hierarchyA: Hierarchy, hierarchyB: Hierarchy): GroupDiffCounts {
  const G = hierarchyB.groupCount;
  const added = new Uint32Array(G);
  const removed = new Uint32Array(G);
  const changed = new Uint32Array(G);
  for (let n = 0; n < diff.statusB.length; n++) {
    if (diff.statusB[n] === NodeStatus.Added) added[hierarchyB.nodeGroup[n]]++;
    else if (diff.statusB[n] === NodeStatus.Changed) changed[hierarchyB.nodeGroup[n]]++;
  }
  const groupOfPath = new Map<string, number>();
  for (let g = 0; g < G; g++) groupOfPath.set(hierarchyB.groupPath[g], g);
  const removedGroupOfA = new Int32Array(diff.statusA.length).fill(-1);
  for (const n of diff.removed) {
    let gA = hierarchyA.nodeGroup[n];
    let g = groupOfPath.get(hierarchyA.groupPath[gA]);
    if (g === undefined && diff.ghostAnchorA[n] >= 0) g = hierarchyB.nodeGroup[diff.ghostAnchorA[n]];
    while (g === undefined && gA > 0) {
      gA = hierarchyA.groupParent[gA];
      g = groupOfPath.get(hierarchyA.groupPath[gA]);
    }
    removedGroupOfA[n] = g ?? 0;
    removed[g ?? 0]++;
  }
  // Parents have smaller ids than their children: one upward pass turns direct counts into subtree sums.
  for (let g = G - 1; g > 0; g--) {
    const p = hierarchyB.groupParent[g];
    if (p < 0) continue;
    added[p] += added[g];
    removed[p] += removed[g];
    changed[p] += changed[g];
  }
  return { added, removed, changed, removedGroupOfA };
}

/** Groups with any difference, by path ('' is the whole model), for the JSON report. */
export function groupCountsByPath(
  hierarchyB: Hierarchy,
  c: GroupDiffCounts,
): Record<string, { added: number; removed: number; changed: number }> {
  const out: Record<string, { added: number; removed: number; changed: number }> = {};
  for (let g = 0; g < hierarchyB.groupCount; g++) {
    if (c.added[g] || c.removed[g] || c.changed[g])
      out[hierarchyB.groupPath[g]] = { added: c.added[g], removed: c.removed[g], changed: c.changed[g] };
  }
  return out;
}
