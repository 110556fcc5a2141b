import type { GraphIR } from '../ir.ts';

/**
 * Ranks that place every source node (one that reads no other node's output: a Constant, a weight loader) just
 * before the first sibling item that consumes it, and re-sorts each group's direct nodes by them.
 *
 * The dataflow order puts a constant right before its first consuming *node*. When that node sits inside a child
 * group (a Constant feeding a node deep inside `h.0`), the group starts earlier than the constant, so in item order
 * the constant would follow `h.0` and a layered layout would draw its edge going up into it. Hoisting keeps every
 * drawn edge pointing down.
 *
 * `groupMinRank` is the first rank under each group (indexed by final id). Returns the rank to merge items by.
 */
export function hoistSources(
  ir: GraphIR,
  parent: Int32Array,
  depth: Uint16Array,
  nodeOffsets: Uint32Array,
  nodes: Uint32Array,
  nodeGroup: Uint32Array,
  groupMinRank: (g: number) => number,
  rank: Uint32Array,
): Float64Array {
  const itemRank = Float64Array.from(rank);
  const touched = new Set<number>();
  const { nodeOutputOffsets: outOff, nodeOutputs: outs, valueConsumerOffsets: cOff, valueConsumers: cons } = ir;
  for (let v = 0; v < ir.nodeCount; v++) {
    if (!isSource(ir, v)) continue;
    const g = nodeGroup[v];
    let first = Infinity;
    for (let k = outOff[v]; k < outOff[v + 1]; k++) {
      const out = outs[k];
      if (out < 0) continue;
      for (let i = cOff[out]; i < cOff[out + 1]; i++) {
        const r = siblingItemRank(cons[i], g, parent, depth, nodeGroup, groupMinRank, rank);
        if (r < first) first = r;
      }
    }
    if (first < rank[v]) {
      itemRank[v] = first - 0.5;
      touched.add(g);
    }
  }
  for (const g of touched) {
    const slice = Array.from(nodes.subarray(nodeOffsets[g], nodeOffsets[g + 1]));
    slice.sort((a, b) => itemRank[a] - itemRank[b] || rank[a] - rank[b]);
    nodes.set(slice, nodeOffsets[g]);
  }
  return itemRank;
}

function isSource(ir: GraphIR, v: number): boolean {
  for (let k = ir.nodeInputOffsets[v]; k < ir.nodeInputOffsets[v + 1]; k++) {
    const i = ir.nodeInputs[k];
    if (i >= 0 && ir.valueProducer[i] >= 0) return false;
  }
  return true;
}

/** Rank of the item of group g that holds node c (c itself, or the child group around it); Infinity if outside g. */
function siblingItemRank(
  c: number,
  g: number,
  parent: Int32Array,
  depth: Uint16Array,
  nodeGroup: Uint32Array,
  groupMinRank: (g: number) => number,
  rank: Uint32Array,
): number {
  let x = nodeGroup[c];
  if (x === g) return rank[c];
  if (depth[x] <= depth[g]) return Infinity;
  while (depth[x] > depth[g] + 1) x = parent[x];
  return parent[x] === g ? groupMinRank(x) : Infinity;
}
