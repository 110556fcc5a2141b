import { MAIN_GRAPH, str, type GraphIR } from './ir.ts';

/**
 * Op types that only hold a tensor (a weight, a scalar, a shape vector) and compute nothing, in every format
 * Strata reads. They are drawn folded into their consumers, so the size rules of the view (chunking, initial
 * expansion) count the operators around them, not them.
 */
const CONSTANT_OPS = new Set([
  // ONNX, TensorFlow/OpenVINO (Const, HostConst), Core ML MIL, NNEF (constant, variable), Barracuda, ncnn.
  'Constant',
  'Const',
  'HostConst',
  'const',
  'constant',
  'variable',
  'Load',
  'MemoryData',
]);

export function isConstantOp(op: string): boolean {
  return CONSTANT_OPS.has(op);
}

/** Nodes of the main graph that compute something (not Constant-like): what a reader counts as the graph's size. */
export function operatorCount(ir: GraphIR): number {
  const start = ir.graphCount > 0 ? ir.graphNodeStart[MAIN_GRAPH] : 0;
  const end = ir.graphCount > 0 ? start + ir.graphNodeCount[MAIN_GRAPH] : ir.nodeCount;
  const constantOp = new Map<number, boolean>();
  let n = 0;
  for (let v = start; v < end; v++) {
    const s = ir.nodeOp[v];
    let c = constantOp.get(s);
    if (c === undefined) {
      c = CONSTANT_OPS.has(str(ir, s));
      constantOp.set(s, c);
    }
    if (!c) n++;
  }
  return n;
}
