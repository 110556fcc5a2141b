import { isGroupItem, itemGroup, type Hierarchy } from './types.ts';
import type { GraphIR } from '../ir.ts';

/**
 * Node-level dataflow edges: one per (producer, consumer input slot). A sub-graph's outputs also get an edge
 * to the node that owns the sub-graph (slot -1): the body's result flows into that node, and without the edge
 * the body would float unconnected in its group.
 */
export interface NodeEdges {
  count: number;
  src: Uint32Array;
  dst: Uint32Array;
  /** Input slot at the consumer, -1 for sub-graph result edges. */
  slot: Int32Array;
  /** Output slot at the producer. */
  out: Int32Array;
}

export function collectEdges(ir: GraphIR): NodeEdges {
  let extra = 0;
  for (let g = 1; g < ir.graphCount; g++) {
    if (ir.graphParentNode[g] >= 0) extra += ir.graphOutputOffsets[g + 1] - ir.graphOutputOffsets[g];
  }
  // Exact size (inputs from initializers and graph inputs have no producer): these arrays live as long as the model.
  const { nodeInputOffsets: inOff, nodeInputs: ins, valueProducer: prod } = ir;
  let cap = extra;
  for (let v = 0; v < ir.nodeCount; v++) {
    for (let k = inOff[v]; k < inOff[v + 1]; k++) {
      const val = ins[k];
      if (val >= 0 && prod[val] >= 0 && prod[val] !== v) cap++;
    }
  }
  const src = new Uint32Array(cap);
  const dst = new Uint32Array(cap);
  const slot = new Int32Array(cap);
  const out = new Int32Array(cap);
  let e = 0;
  const { nodeOutputOffsets: outOff, nodeOutputs: outs } = ir;
  const outIndex = (u: number, val: number) => {
    for (let k = outOff[u]; k < outOff[u + 1]; k++) if (outs[k] === val) return k - outOff[u];
    return 0;
  };
  for (let v = 0; v < ir.nodeCount; v++) {
    const base = inOff[v];
    for (let k = base; k < inOff[v + 1]; k++) {
      const val = ins[k];
      if (val < 0) continue;
      const u = prod[val];
      if (u < 0 || u === v) continue;
      src[e] = u;
      dst[e] = v;
      out[e] = outIndex(u, val);
      slot[e++] = k - base;
    }
  }
  for (let g = 1; g < ir.graphCount; g++) {
    const owner = ir.graphParentNode[g];
    if (owner < 0 || owner >= ir.nodeCount) continue;
    for (let k = ir.graphOutputOffsets[g]; k < ir.graphOutputOffsets[g + 1]; k++) {
      const val = ir.graphOutputs[k];
      const u = prod[val];
      if (u < 0 || u === owner) continue;
      src[e] = u;
      dst[e] = owner;
      out[e] = outIndex(u, val);
      slot[e++] = -1;
    }
  }
  return {
    count: e,
    src: src.subarray(0, e),
    dst: dst.subarray(0, e),
    slot: slot.subarray(0, e),
    out: out.subarray(0, e),
  };
}

/** The edges with neither end in `skip` (folded constants have no edges of their own). */
export function withoutNodes(edges: NodeEdges, skip: Uint8Array): NodeEdges {
  // Edge ids in a typed array sized by a counting pass: a million-edge model would grow a JS array of boxed ids.
  let kept = 0;
  for (let e = 0; e < edges.count; e++) if (!skip[edges.src[e]] && !skip[edges.dst[e]]) kept++;
  const keep = new Uint32Array(kept);
  for (let e = 0, k = 0; e < edges.count; e++) if (!skip[edges.src[e]] && !skip[edges.dst[e]]) keep[k++] = e;
  const pick = <T extends Uint32Array | Int32Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(kept);
    for (let i = 0; i < kept; i++) out[i] = a[keep[i]];
    return out;
  };
  return {
    count: kept,
    src: pick(edges.src),
    dst: pick(edges.dst),
    slot: pick(edges.slot),
    out: pick(edges.out),
  };
}

/**
 * Where each edge lives in a finished hierarchy: the lowest group containing both ends (`lca`), and the
 * positions, within that group's `groupItems`, of the items holding each end. Layout routes the edge in the
 * `lca` group's layout between those two items; hashing uses it as the group's internal wiring.
 */
export interface EdgePlacement {
  lca: Uint32Array;
  srcItem: Uint32Array;
  dstItem: Uint32Array;
  /** Edges bucketed by `lca` (CSR by group, edge ids ascending within a group). */
  lcaOffsets: Uint32Array;
  lcaEdges: Uint32Array;
}

/** Position of every node and every group inside its parent's item list. */
function itemPositions(h: Hierarchy, nodeCount: number): { node: Uint32Array; group: Uint32Array } {
  const node = new Uint32Array(nodeCount);
  const group = new Uint32Array(h.groupCount);
  for (let g = 0; g < h.groupCount; g++) {
    const base = h.groupItemOffsets[g];
    for (let k = base; k < h.groupItemOffsets[g + 1]; k++) {
      const item = h.groupItems[k];
      if (isGroupItem(item)) group[itemGroup(item)] = k - base;
      else node[item] = k - base;
    }
  }
  return { node, group };
}

/**
 * Lowest common group of groups `a` and `b`, written to out[0], with the child of it on each side that contains
 * `a` (out[1]) and `b` (out[2]), or -1 where that side is the common group itself.
 */
export function meetingPoint(
  a: number,
  b: number,
  parent: ArrayLike<number>,
  depth: ArrayLike<number>,
  out: Int32Array,
): void {
  let ca = -1;
  let cb = -1;
  while (depth[a] > depth[b]) {
    ca = a;
    a = parent[a];
  }
  while (depth[b] > depth[a]) {
    cb = b;
    b = parent[b];
  }
  while (a !== b) {
    ca = a;
    cb = b;
    a = parent[a];
    b = parent[b];
  }
  out[0] = a;
  out[1] = ca;
  out[2] = cb;
}

export function placeEdges(h: Hierarchy, edges: NodeEdges, nodeCount: number): EdgePlacement {
  const meet = new Int32Array(3);
  const pos = itemPositions(h, nodeCount);
  const { groupParent: parent, groupDepth: depth, nodeGroup } = h;
  const lca = new Uint32Array(edges.count);
  const srcItem = new Uint32Array(edges.count);
  const dstItem = new Uint32Array(edges.count);
  for (let e = 0; e < edges.count; e++) {
    const u = edges.src[e];
    const v = edges.dst[e];
    const a = nodeGroup[u];
    const b = nodeGroup[v];
    if (a === b) {
      lca[e] = a;
      srcItem[e] = pos.node[u];
      dstItem[e] = pos.node[v];
      continue;
    }
    meetingPoint(a, b, parent, depth, meet);
    lca[e] = meet[0];
    srcItem[e] = meet[1] < 0 ? pos.node[u] : pos.group[meet[1]];
    dstItem[e] = meet[2] < 0 ? pos.node[v] : pos.group[meet[2]];
  }
  // Counting sort by lowest common group: hashing reads each group's internal wiring, layout each open group's.
  const lcaOffsets = new Uint32Array(h.groupCount + 1);
  for (let e = 0; e < edges.count; e++) lcaOffsets[lca[e] + 1]++;
  for (let g = 0; g < h.groupCount; g++) lcaOffsets[g + 1] += lcaOffsets[g];
  const lcaEdges = new Uint32Array(edges.count);
  const fill = lcaOffsets.slice(0, h.groupCount);
  for (let e = 0; e < edges.count; e++) lcaEdges[fill[lca[e]]++] = e;
  return { lca, srcItem, dstItem, lcaOffsets, lcaEdges };
}
