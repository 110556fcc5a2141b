import type { Hierarchy } from './hierarchy/types.ts';
import { str, type GraphIR } from './ir.ts';
import type { NodeMetrics } from './metrics.ts';

/** Sums of the per-node metric columns (`computeMetrics`): per hierarchy group, per op type, and the top groups. */

export interface GroupMetrics {
  parameters: Float64Array;
  macs: Float64Array;
  flops: Float64Array;
  activationBytes: Float64Array;
  /** Nodes under each group at any depth (equals `Hierarchy.groupSize`). */
  nodes: Float64Array;
}

export interface OpRow {
  op: string;
  count: number;
  parameters: number;
  macs: number;
  flops: number;
  activationBytes: number;
}

/** Sums a per-node column over each group's subtree. O(groups + nodes). */
export function sumByGroup(h: Hierarchy, column: ArrayLike<number>): Float64Array {
  const out = new Float64Array(h.groupCount);
  for (let g = 0; g < h.groupCount; g++) {
    let s = 0;
    for (let k = h.groupNodeOffsets[g]; k < h.groupNodeOffsets[g + 1]; k++) s += column[h.groupNodes[k]];
    out[g] = s;
  }
  // Parents have smaller ids than their children: one pass from the deepest ids upwards.
  for (let g = h.groupCount - 1; g > 0; g--) {
    const p = h.groupParent[g];
    if (p >= 0) out[p] += out[g];
  }
  return out;
}

export function groupMetrics(h: Hierarchy, m: NodeMetrics): GroupMetrics {
  const ones = new Float64Array(m.parameters.length).fill(1);
  return {
    parameters: sumByGroup(h, m.parameters),
    macs: sumByGroup(h, m.macs),
    flops: sumByGroup(h, m.flops),
    activationBytes: sumByGroup(h, m.activationBytes),
    nodes: sumByGroup(h, ones),
  };
}

/** Totals per op type, sorted by FLOPs then count. */
export function metricsByOp(ir: GraphIR, m: NodeMetrics): OpRow[] {
  const rows = new Map<number, OpRow>();
  for (let n = 0; n < ir.nodeCount; n++) {
    const id = ir.nodeOp[n];
    let row = rows.get(id);
    if (!row) {
      row = { op: str(ir, id), count: 0, parameters: 0, macs: 0, flops: 0, activationBytes: 0 };
      rows.set(id, row);
    }
    row.count++;
    row.parameters += m.parameters[n];
    row.macs += m.macs[n];
    row.flops += m.flops[n];
    row.activationBytes += m.activationBytes[n];
  }
  return [...rows.values()].sort((a, b) => b.flops - a.flops || b.count - a.count || a.op.localeCompare(b.op));
}

export interface TopGroup {
  path: string;
  value: number;
  share: number;
}

/**
 * The `limit` groups with the largest values (root excluded). A group that only wraps one child carrying all of
 * its value is skipped in favour of that child, so the list is not the same block repeated at each depth.
 */
export function topGroups(h: Hierarchy, values: Float64Array, total: number, limit = 10): TopGroup[] {
  const ids: number[] = [];
  for (let g = 1; g < h.groupCount; g++) {
    if (!(values[g] > 0)) continue;
    let passOn = false;
    for (let k = h.groupChildOffsets[g]; k < h.groupChildOffsets[g + 1]; k++)
      if (values[h.groupChildren[k]] === values[g]) passOn = true;
    if (!passOn) ids.push(g);
  }
  ids.sort((a, b) => values[b] - values[a] || a - b);
  return ids
    .slice(0, limit)
    .map((g) => ({ path: h.groupPath[g], value: values[g], share: total > 0 ? values[g] / total : 0 }));
}
