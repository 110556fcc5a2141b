import type { GraphIR } from '../ir.ts';

/**
 * One dataflow order over all nodes of all graphs, used for every ordering in the hierarchy (children of a
 * group, chunk boundaries) and by layout.
 *
 * - Within a graph: the file order when it is already topological (ONNX requires it, so this is the common
 *   case and costs one pass), otherwise Kahn's algorithm with the file index as tie-break.
 * - Source nodes (no producer in their graph: Constant, Identity of a weight, Shape of an input) are moved to
 *   just before their first consumer. Exporters often hoist them to the top; left there, they would tie the
 *   first chunk to the whole graph and make crossing counts meaningless.
 * - A sub-graph's nodes are spliced in just before the node that owns the sub-graph.
 *
 * `topologicalOrder` (graph/topological-order.ts) does not suffice here: it interleaves graphs and leaves hoisted
 * sources at the top, while grouping needs each graph's own order (`graphOrder`) with sources by their consumer.
 */
export interface DataflowOrder {
  /** Node ids in dataflow order. */
  order: Uint32Array;
  /** Position of each node in `order`. */
  rank: Uint32Array;
  /** Per graph, its nodes in local dataflow order, stored at the graph's own node range. */
  graphOrder: Uint32Array;
}

export function computeDataflowOrder(ir: GraphIR): DataflowOrder {
  const n = ir.nodeCount;
  const graphOrder = new Uint32Array(n);
  for (let g = 0; g < ir.graphCount; g++) orderGraph(ir, g, graphOrder);
  if (ir.graphCount <= 1) {
    // One graph (the common case): its local order is the order.
    const rank = new Uint32Array(n);
    for (let i = 0; i < n; i++) rank[graphOrder[i]] = i;
    return { order: graphOrder.slice(), rank, graphOrder };
  }

  // Sub-graphs owned by each node, as a CSR over owner nodes.
  const ownedCount = new Uint32Array(n + 1);
  for (let g = 1; g < ir.graphCount; g++) {
    const p = ir.graphParentNode[g];
    if (p >= 0 && p < n) ownedCount[p + 1]++;
  }
  for (let i = 0; i < n; i++) ownedCount[i + 1] += ownedCount[i];
  const owned = new Uint32Array(ownedCount[n]);
  const fill = ownedCount.slice(0, n);
  for (let g = 1; g < ir.graphCount; g++) {
    const p = ir.graphParentNode[g];
    if (p >= 0 && p < n) owned[fill[p]++] = g;
  }

  const order = new Uint32Array(n);
  const rank = new Uint32Array(n);
  const emitted = new Uint8Array(ir.graphCount);
  const expandedOwner = new Uint8Array(n);
  let pos = 0;
  // Explicit stack of (graph, next index) frames: nesting depth is data-dependent, recursion is not safe.
  const stackGraph: number[] = [];
  const stackIdx: number[] = [];
  const run = (root: number) => {
    stackGraph.push(root);
    stackIdx.push(0);
    emitted[root] = 1;
    while (stackGraph.length) {
      const top = stackGraph.length - 1;
      const g = stackGraph[top];
      const i = stackIdx[top];
      if (i >= ir.graphNodeCount[g]) {
        stackGraph.pop();
        stackIdx.pop();
        continue;
      }
      const node = graphOrder[ir.graphNodeStart[g] + i];
      if (!expandedOwner[node] && ownedCount[node + 1] > ownedCount[node]) {
        expandedOwner[node] = 1;
        // Push in reverse so the first owned graph is emitted first.
        for (let k = ownedCount[node + 1] - 1; k >= ownedCount[node]; k--) {
          const sub = owned[k];
          if (emitted[sub]) continue;
          emitted[sub] = 1;
          stackGraph.push(sub);
          stackIdx.push(0);
        }
        continue;
      }
      stackIdx[top] = i + 1;
      order[pos] = node;
      rank[node] = pos++;
    }
  };
  run(0);
  // Functions and any graph whose owner is unknown come last, in graph order.
  for (let g = 1; g < ir.graphCount; g++) if (!emitted[g]) run(g);
  return { order, rank, graphOrder };
}

/** Fills graphOrder[start..start+count) with graph g's nodes in local dataflow order. */
function orderGraph(ir: GraphIR, g: number, out: Uint32Array): void {
  const start = ir.graphNodeStart[g];
  const count = ir.graphNodeCount[g];
  const end = start + count;
  if (count === 0) return;
  const { nodeInputOffsets: inOff, nodeInputs: ins, valueProducer: prod } = ir;

  let topological = true;
  for (let v = start; v < end && topological; v++) {
    for (let k = inOff[v]; k < inOff[v + 1]; k++) {
      const val = ins[k];
      if (val < 0) continue;
      const u = prod[val];
      if (u >= start && u < end && u > v) {
        topological = false;
        break;
      }
    }
  }
  // In file order (the common case) a node's position is its local index: no order or position arrays.
  const topo = topological ? null : kahn(ir, start, count);
  let pos: Int32Array | null = null;
  if (topo) {
    pos = new Int32Array(count);
    for (let p = 0; p < count; p++) pos[topo[p] - start] = p;
  }

  // Sink sources to just before their first consumer: per target position a linked list of sources.
  const head = new Int32Array(count).fill(-1);
  const tail = new Int32Array(count).fill(-1);
  const next = new Int32Array(count).fill(-1);
  const sunk = new Uint8Array(count);
  const { nodeOutputOffsets: outOff, nodeOutputs: outs, valueConsumerOffsets: cOff, valueConsumers: cons } = ir;
  for (let p = 0; p < count; p++) {
    const v = topo ? topo[p] : start + p;
    let isSource = true;
    for (let k = inOff[v]; k < inOff[v + 1] && isSource; k++) {
      const val = ins[k];
      if (val >= 0) {
        const u = prod[val];
        if (u >= start && u < end && u !== v) isSource = false;
      }
    }
    if (!isSource) continue;
    let first = count;
    for (let k = outOff[v]; k < outOff[v + 1]; k++) {
      const val = outs[k];
      if (val < 0) continue;
      for (let c = cOff[val]; c < cOff[val + 1]; c++) {
        const w = cons[c];
        if (w >= start && w < end && w !== v) {
          const q = pos ? pos[w - start] : w - start;
          if (q < first) first = q;
        }
      }
    }
    if (first === count || first <= p) continue;
    const local = v - start;
    sunk[local] = 1;
    if (tail[first] < 0) head[first] = local;
    else next[tail[first]] = local;
    tail[first] = local;
  }
  let w = start;
  for (let p = 0; p < count; p++) {
    for (let s = head[p]; s >= 0; s = next[s]) out[w++] = s + start;
    const v = topo ? topo[p] : start + p;
    if (!sunk[v - start]) out[w++] = v;
  }
}

/** Kahn's algorithm, smallest file index first; nodes left on cycles are appended in file order. */
function kahn(ir: GraphIR, start: number, count: number): Uint32Array {
  const end = start + count;
  const { nodeInputOffsets: inOff, nodeInputs: ins, valueProducer: prod } = ir;
  const { nodeOutputOffsets: outOff, nodeOutputs: outs, valueConsumerOffsets: cOff, valueConsumers: cons } = ir;
  const indeg = new Uint32Array(count);
  for (let v = start; v < end; v++) {
    for (let k = inOff[v]; k < inOff[v + 1]; k++) {
      const val = ins[k];
      if (val < 0) continue;
      const u = prod[val];
      if (u >= start && u < end && u !== v) indeg[v - start]++;
    }
  }
  const heap = new MinHeap(count);
  for (let i = 0; i < count; i++) if (indeg[i] === 0) heap.push(i);
  const out = new Uint32Array(count);
  const done = new Uint8Array(count);
  let w = 0;
  const drain = () => {
    while (heap.size) {
      const i = heap.pop();
      if (done[i]) continue;
      done[i] = 1;
      out[w++] = i + start;
      const v = i + start;
      for (let k = outOff[v]; k < outOff[v + 1]; k++) {
        const val = outs[k];
        if (val < 0) continue;
        for (let c = cOff[val]; c < cOff[val + 1]; c++) {
          const x = cons[c];
          if (x < start || x >= end || x === v) continue;
          // A consumer may list the same value twice; indeg counted each occurrence, so decrement each.
          if (--indeg[x - start] === 0) heap.push(x - start);
        }
      }
    }
  };
  drain();
  // Cycles (malformed files): release the smallest remaining node and continue.
  for (let i = 0; i < count && w < count; i++) {
    if (!done[i]) {
      indeg[i] = 0;
      heap.push(i);
      drain();
    }
  }
  return out;
}

class MinHeap {
  private readonly a: Uint32Array;
  size = 0;
  constructor(capacity: number) {
    this.a = new Uint32Array(Math.max(1, capacity * 2));
  }
  push(x: number): void {
    const a = this.a;
    let i = this.size++;
    a[i] = x;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= a[i]) break;
      const t = a[p];
      a[p] = a[i];
      a[i] = t;
      i = p;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    a[0] = a[--this.size];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.size && a[l] < a[m]) m = l;
      if (r < this.size && a[r] < a[m]) m = r;
      if (m === i) break;
      const t = a[m];
      a[m] = a[i];
      a[i] = t;
      i = m;
    }
    return top;
  }
}
