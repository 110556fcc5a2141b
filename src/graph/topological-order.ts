import type { GraphIR } from './ir.ts';

/**
 * Kahn's order over all nodes (producers before consumers). A node holding sub-graphs (If, Loop, Scan) comes after
 * every node of those sub-graphs, so their output shapes are known when it is reached. Nodes on a cycle (only in
 * malformed files) follow in file order.
 *
 * Used by shape inference and metrics. `computeDataflowOrder` (hierarchy/order.ts) does not suffice for them: it
 * orders each graph alone, so a body node reading an outer-graph value may come before that value's producer.
 */
export function topologicalOrder(ir: GraphIR): Uint32Array {
  const count = ir.nodeCount;
  const indegree = new Uint32Array(count);
  for (let node = 0; node < count; node++) {
    for (let k = ir.nodeInputOffsets[node]; k < ir.nodeInputOffsets[node + 1]; k++) {
      const v = ir.nodeInputs[k];
      if (v >= 0 && ir.valueProducer[v] >= 0 && ir.valueProducer[v] !== node) indegree[node]++;
    }
  }
  // Sub-graph nodes release their owner (possibly several levels up, one level at a time).
  const owner = new Int32Array(count).fill(-1);
  for (let g = 0; g < ir.graphCount; g++) {
    const p = ir.graphParentNode[g];
    if (p < 0) continue;
    for (let node = ir.graphNodeStart[g]; node < ir.graphNodeStart[g] + ir.graphNodeCount[g]; node++) {
      if (node === p) continue;
      owner[node] = p;
      indegree[p]++;
    }
  }
  const order = new Uint32Array(count);
  const placed = new Uint8Array(count);
  let head = 0;
  let tail = 0;
  for (let node = 0; node < count; node++) if (indegree[node] === 0) order[tail++] = node;
  const release = () => {
    while (head < tail) {
      const node = order[head++];
      placed[node] = 1;
      const p = owner[node];
      if (p >= 0 && indegree[p] > 0 && --indegree[p] === 0) order[tail++] = p;
      for (let k = ir.nodeOutputOffsets[node]; k < ir.nodeOutputOffsets[node + 1]; k++) {
        const v = ir.nodeOutputs[k];
        if (v < 0) continue;
        for (let c = ir.valueConsumerOffsets[v]; c < ir.valueConsumerOffsets[v + 1]; c++) {
          const consumer = ir.valueConsumers[c];
          if (consumer === node) continue;
          // A node consuming the same value twice was counted twice: released once per use.
          if (indegree[consumer] > 0 && --indegree[consumer] === 0) order[tail++] = consumer;
        }
      }
    }
  };
  release();
  for (let node = 0; node < count && tail < count; node++) {
    if (!placed[node] && indegree[node] > 0) {
      indegree[node] = 0;
      order[tail++] = node;
      release();
    }
  }
  return order;
}
