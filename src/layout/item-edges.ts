import type { EdgePlacement, NodeEdges } from '../graph/hierarchy/edges.ts';

/**
 * Node edges aggregated per group into one edge per (source item, target item) pair: what a group's layout
 * routes. `edgeItemEdge[e]` maps each node edge to the aggregated edge (an index into the flat arrays) whose
 * route it follows.
 */
export interface ItemEdges {
  /** CSR by group into src/dst/weight. */
  offsets: Uint32Array;
  src: Uint32Array;
  dst: Uint32Array;
  weight: Uint32Array;
  edgeItemEdge: Uint32Array;
  /**
   * Node edges grouped by their lowest common group (CSR by group): an edge is drawn only when that group is
   * expanded, so a layout pass visits only the buckets of expanded groups, not every edge of the model.
   */
  lcaOffsets: Uint32Array;
  lcaEdges: Uint32Array;
}

export function aggregateItemEdges(groupCount: number, edges: NodeEdges, placement: EdgePlacement): ItemEdges {
  const E = edges.count;
  const { lcaOffsets: bucketOff, lcaEdges: bucket } = placement;
  const offsets = new Uint32Array(groupCount + 1);
  const src = new Uint32Array(E);
  const dst = new Uint32Array(E);
  const weight = new Uint32Array(E);
  const edgeItemEdge = new Uint32Array(E);
  // Pair lookup: a dense (item × item) table stamped per group when groups are small (they are, after
  // chunking), a Map otherwise.
  let maxItem = 0;
  for (let e = 0; e < E; e++) maxItem = Math.max(maxItem, placement.srcItem[e] + 1, placement.dstItem[e] + 1);
  const dense = maxItem <= 512;
  const stamp = dense ? new Int32Array(maxItem * maxItem).fill(-1) : null;
  const slot = dense ? new Uint32Array(maxItem * maxItem) : null;
  const seen = new Map<number, number>();
  let w = 0;
  for (let g = 0; g < groupCount; g++) {
    offsets[g] = w;
    seen.clear();
    for (let k = bucketOff[g]; k < bucketOff[g + 1]; k++) {
      const e = bucket[k];
      const a = placement.srcItem[e];
      const b = placement.dstItem[e];
      let idx: number;
      if (stamp && slot) {
        const cell = a * maxItem + b;
        if (stamp[cell] !== g) {
          stamp[cell] = g;
          slot[cell] = w;
          src[w] = a;
          dst[w] = b;
          w++;
        }
        idx = slot[cell];
      } else {
        const key = a * 4294967296 + b;
        let found = seen.get(key);
        if (found === undefined) {
          found = w++;
          seen.set(key, found);
          src[found] = a;
          dst[found] = b;
        }
        idx = found;
      }
      weight[idx]++;
      edgeItemEdge[e] = idx;
    }
  }
  offsets[groupCount] = w;
  return {
    offsets,
    src: src.slice(0, w),
    dst: dst.slice(0, w),
    weight: weight.slice(0, w),
    edgeItemEdge,
    lcaOffsets: bucketOff,
    lcaEdges: bucket,
  };
}
