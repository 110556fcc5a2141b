import type { DataflowOrder } from './order.ts';
import { meetingPoint, type NodeEdges } from './edges.ts';
import type { GroupTree } from './tree.ts';
import { GroupKind, groupItem, isGroupItem, itemGroup } from './types.ts';

export interface ChunkOptions {
  /** Groups with more direct children (nodes + groups) than this are split. */
  threshold: number;
  /** Chunk size bounds, in items; `max >= 2 * min - 1` so every length can be tiled. */
  min: number;
  max: number;
}

export const DEFAULT_CHUNKING: ChunkOptions = { threshold: 150, min: 50, max: 100 };

/** Cost of one more chunk, relative to one live tensor at the cut: prefer fewer, fuller chunks on ties. */
const CUT_PENALTY = 0.25;

/**
 * Splits every group with too many direct children into ordered chunks, recursively (chunks of chunks)
 * until no group is too big. This is also how flat graphs get their structure: all their nodes sit in the
 * root, and the cuts land where the fewest tensors are live.
 *
 * Items are taken in dataflow order. The cost of cutting before item i is the number of items whose output is
 * still used at or after i (a tensor every path crosses, like the residual stream between blocks, costs 1;
 * a cut through the middle of an attention block costs several). A sliding-window DP picks cuts that
 * minimise the total cost with every chunk between `min` and `max` items: O(items + edges) per level, no
 * recursion. On repeated blocks the cuts fall on the same block boundaries, so chunks come out
 * structurally identical and share one layout.
 */
export function chunkLargeGroups(
  tree: GroupTree,
  nodeGroup: Int32Array,
  order: DataflowOrder,
  edges: NodeEdges,
  options: ChunkOptions = DEFAULT_CHUNKING,
): void {
  const groupCount = tree.count;
  const itemCount = new Uint32Array(groupCount);
  for (let v = 0; v < nodeGroup.length; v++) itemCount[nodeGroup[v]]++;
  for (let g = 1; g < groupCount; g++) if (tree.alive[g]) itemCount[tree.parent[g]]++;
  const big: number[] = [];
  for (let g = 0; g < groupCount; g++) if (tree.alive[g] && itemCount[g] > options.threshold) big.push(g);
  if (!big.length) return;

  // First node (in dataflow order) under each group; parents have smaller ids until chunks are added.
  const minRank = new Float64Array(groupCount).fill(Infinity);
  for (let v = 0; v < nodeGroup.length; v++) {
    const g = nodeGroup[v];
    if (order.rank[v] < minRank[g]) minRank[g] = order.rank[v];
  }
  for (let g = groupCount - 1; g >= 1; g--) {
    if (tree.alive[g] && minRank[g] < minRank[tree.parent[g]]) minRank[tree.parent[g]] = minRank[g];
  }

  // Items of each big group in dataflow order, and each item's position there.
  const isBig = new Uint8Array(groupCount);
  for (const g of big) isBig[g] = 1;
  const nodePos = new Int32Array(nodeGroup.length);
  const groupPos = new Int32Array(groupCount);
  // Per-group lists indexed by group id (sparse: only big groups get one).
  const items: Int32Array[] = [];
  {
    const nodeCount = new Uint32Array(groupCount);
    for (let v = 0; v < nodeGroup.length; v++) if (isBig[nodeGroup[v]]) nodeCount[nodeGroup[v]]++;
    const nodesOf: Uint32Array[] = [];
    const fillNodes = new Uint32Array(groupCount);
    for (const g of big) nodesOf[g] = new Uint32Array(nodeCount[g]);
    for (let i = 0; i < order.order.length; i++) {
      const v = order.order[i];
      const g = nodeGroup[v];
      if (isBig[g]) nodesOf[g][fillNodes[g]++] = v;
    }
    const childrenOf: number[][] = [];
    for (const g of big) childrenOf[g] = [];
    for (let g = 1; g < groupCount; g++) if (tree.alive[g] && isBig[tree.parent[g]]) childrenOf[tree.parent[g]].push(g);
    for (const g of big) {
      const ns = nodesOf[g];
      const cs = childrenOf[g].sort((a, b) => minRank[a] - minRank[b]);
      const out = new Int32Array(ns.length + cs.length);
      let i = 0;
      let j = 0;
      for (let k = 0; k < out.length; k++) {
        if (j >= cs.length || (i < ns.length && order.rank[ns[i]] < minRank[cs[j]])) {
          nodePos[ns[i]] = k;
          out[k] = ns[i++];
        } else {
          groupPos[cs[j]] = k;
          out[k] = groupItem(cs[j++]);
        }
      }
      items[g] = out;
    }
  }

  // Latest consumer position of each item's outputs, per big group (only edges whose lowest common group is
  // that big group matter: anything deeper is inside one item).
  const lastUse: Int32Array[] = [];
  for (const g of big) lastUse[g] = new Int32Array(items[g].length).fill(-1);
  const underBig = new Uint8Array(groupCount);
  for (let g = 0; g < groupCount; g++) {
    if (tree.alive[g]) underBig[g] = isBig[g] || (g > 0 && underBig[tree.parent[g]]) ? 1 : 0;
  }
  const { parent, depth } = tree;
  const meet = new Int32Array(3);
  for (let e = 0; e < edges.count; e++) {
    const u = edges.src[e];
    const v = edges.dst[e];
    if (!underBig[nodeGroup[u]] || !underBig[nodeGroup[v]]) continue;
    meetingPoint(nodeGroup[u], nodeGroup[v], parent, depth, meet);
    const a = meet[0];
    const ca = meet[1];
    const cb = meet[2];
    if (!isBig[a]) continue;
    const pu = ca < 0 ? nodePos[u] : groupPos[ca];
    const pv = cb < 0 ? nodePos[v] : groupPos[cb];
    const last = lastUse[a];
    if (pv > pu && pv > last[pu]) last[pu] = pv;
  }

  for (const g of big) splitGroup(tree, nodeGroup, g, items[g], lastUse[g], options);
}

function splitGroup(
  tree: GroupTree,
  nodeGroup: Int32Array,
  g: number,
  items: Int32Array,
  lastUse: Int32Array,
  options: ChunkOptions,
): void {
  const m = items.length;
  // Live-item count at each boundary i (between items i-1 and i), by a difference array.
  const live = new Float64Array(m + 1);
  for (let a = 0; a < m; a++) {
    if (lastUse[a] > a) {
      live[a + 1]++;
      live[lastUse[a] + 1]--;
    }
  }
  for (let i = 1; i <= m; i++) live[i] += live[i - 1];

  // Level 1 splits items; each further level splits the previous level's chunks, reusing the boundary costs.
  let units = new Int32Array(m); // start position (in items) of each unit
  for (let i = 0; i < m; i++) units[i] = i;
  let unitGroups: Int32Array | null = null; // chunk group of each unit, null while units are items
  while (unitGroups === null || units.length > options.threshold) {
    const cost = new Float64Array(units.length + 1);
    for (let k = 1; k < units.length; k++) cost[k] = live[units[k]];
    const cuts = splitSequence(cost, units.length, options.min, options.max);
    const chunks = cuts.length - 1;
    const nextUnits = new Int32Array(chunks);
    const nextGroups = new Int32Array(chunks);
    for (let s = 0; s < chunks; s++) {
      const chunk = tree.add(g, '', '', GroupKind.Chunk);
      nextUnits[s] = units[cuts[s]];
      nextGroups[s] = chunk;
      for (let k = cuts[s]; k < cuts[s + 1]; k++) {
        if (unitGroups) {
          tree.parent[unitGroups[k]] = chunk;
        } else {
          const item = items[k];
          if (isGroupItem(item)) tree.parent[itemGroup(item)] = chunk;
          else nodeGroup[item] = chunk;
        }
      }
    }
    units = nextUnits;
    unitGroups = nextGroups;
    if (chunks <= 1) break;
  }
}

/**
 * Boundaries 0 = b0 < b1 < … < bk = m splitting m units into runs of min..max units, minimising the sum of
 * `cost[b]` over inner boundaries. Sliding-window minimum keeps it O(m).
 */
export function splitSequence(cost: ArrayLike<number>, m: number, min: number, max: number): number[] {
  if (m <= max) return [0, m];
  const best = new Float64Array(m + 1).fill(Infinity);
  const from = new Int32Array(m + 1).fill(-1);
  best[0] = 0;
  const dq = new Int32Array(m + 1);
  let head = 0;
  let tail = 0;
  for (let i = min; i <= m; i++) {
    const j = i - min;
    if (best[j] < Infinity) {
      while (tail > head && best[dq[tail - 1]] > best[j]) tail--;
      dq[tail++] = j;
    }
    while (tail > head && dq[head] < i - max) head++;
    if (tail > head) {
      best[i] = best[dq[head]] + (i < m ? cost[i] + CUT_PENALTY : 0);
      from[i] = dq[head];
    }
  }
  if (!(best[m] < Infinity)) {
    // Unreachable only if max < 2*min - 1: fall back to even runs of at most max.
    const k = Math.ceil(m / max);
    return Array.from({ length: k + 1 }, (_, i) => Math.round((i * m) / k));
  }
  const cuts: number[] = [];
  for (let i = m; i > 0; i = from[i]) cuts.push(i);
  cuts.push(0);
  return cuts.reverse();
}
