import type { GraphIR } from '../graph/ir.ts';

/**
 * For each removed A node, a B node next to where it was: the partner of its nearest matched neighbour (producers
 * first, then consumers), found by one breadth-first pass that starts at the matched border of every removed
 * region. -1 for matched nodes and for regions with no matched neighbour at all. O(nodes + edges).
 */
export function ghostAnchors(ir: GraphIR, pairOfA: Int32Array): Int32Array {
  const anchor = new Int32Array(ir.nodeCount).fill(-1);
  const queue = new Int32Array(ir.nodeCount);
  let tail = 0;
  const matchedNeighbour = (n: number): number => {
    for (let k = ir.nodeInputOffsets[n]; k < ir.nodeInputOffsets[n + 1]; k++) {
      const v = ir.nodeInputs[k];
      const p = v >= 0 ? ir.valueProducer[v] : -1;
      if (p >= 0 && pairOfA[p] >= 0) return pairOfA[p];
    }
    for (let k = ir.nodeOutputOffsets[n]; k < ir.nodeOutputOffsets[n + 1]; k++) {
      const v = ir.nodeOutputs[k];
      if (v < 0) continue;
      for (let j = ir.valueConsumerOffsets[v]; j < ir.valueConsumerOffsets[v + 1]; j++) {
        const c = ir.valueConsumers[j];
        if (pairOfA[c] >= 0) return pairOfA[c];
      }
    }
    return -1;
  };
  for (let n = 0; n < ir.nodeCount; n++) {
    if (pairOfA[n] >= 0) continue;
    anchor[n] = matchedNeighbour(n);
    if (anchor[n] >= 0) queue[tail++] = n;
  }
  for (let head = 0; head < tail; head++) {
    const n = queue[head];
    const visit = (m: number) => {
      if (m >= 0 && pairOfA[m] < 0 && anchor[m] < 0) {
        anchor[m] = anchor[n];
        queue[tail++] = m;
      }
    };
    for (let k = ir.nodeInputOffsets[n]; k < ir.nodeInputOffsets[n + 1]; k++) {
      const v = ir.nodeInputs[k];
      if (v >= 0) visit(ir.valueProducer[v]);
    }
    for (let k = ir.nodeOutputOffsets[n]; k < ir.nodeOutputOffsets[n + 1]; k++) {
      const v = ir.nodeOutputs[k];
      if (v < 0) continue;
      for (let j = ir.valueConsumerOffsets[v]; j < ir.valueConsumerOffsets[v + 1]; j++) visit(ir.valueConsumers[j]);
    }
  }
  return anchor;
}
