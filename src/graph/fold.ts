import { ValueFlag, type GraphIR } from './ir.ts';
import { isConstantOp } from './operator-count.ts';

/**
 * Which nodes are folded into their consumers: constant-producing nodes (`isConstantOp`) whose inputs are
 * all constants themselves, and none of whose outputs is a graph output (a constant result stays a box, or its
 * graph would have nothing to show). Folded nodes are not laid out; their consumers list them as rows.
 * One linear pass per chain level over typed arrays (constant chains are one or two levels deep).
 */
export function foldConstants(ir: GraphIR): Uint8Array {
  const folded = new Uint8Array(ir.nodeCount);
  // Only strings used as op types are asked (a Set lookup hashes the string): a million-node model has millions
  // of names in its table and a few dozen op types.
  const isConstOp = new Uint8Array(ir.strings.length);
  const asked = new Uint8Array(ir.strings.length);
  for (let v = 0; v < ir.nodeCount; v++) {
    const op = ir.nodeOp[v];
    if (asked[op]) continue;
    asked[op] = 1;
    if (isConstantOp(ir.strings.at(op) ?? '')) isConstOp[op] = 1;
  }
  const isGraphOutput = new Uint8Array(ir.valueCount);
  for (let k = 0; k < ir.graphOutputs.length; k++) isGraphOutput[ir.graphOutputs[k]] = 1;
  for (let changed = true; changed; ) {
    changed = false;
    for (let v = 0; v < ir.nodeCount; v++) {
      if (folded[v] || !isConstOp[ir.nodeOp[v]]) continue;
      if (!allInputsConstant(ir, folded, v) || anyOutputIn(ir, v, isGraphOutput)) continue;
      folded[v] = 1;
      changed = true;
    }
  }
  return folded;
}

/** True when value `val` holds a constant: an initializer, or an output of a folded node. */
export function isConstantValue(ir: GraphIR, folded: Uint8Array, val: number): boolean {
  if (val < 0) return false;
  const producer = ir.valueProducer[val];
  if (producer >= 0) return folded[producer] === 1;
  return (ir.valueFlags[val] & ValueFlag.Initializer) !== 0;
}

function allInputsConstant(ir: GraphIR, folded: Uint8Array, node: number): boolean {
  for (let k = ir.nodeInputOffsets[node]; k < ir.nodeInputOffsets[node + 1]; k++) {
    const val = ir.nodeInputs[k];
    if (val >= 0 && !isConstantValue(ir, folded, val)) return false;
  }
  return true;
}

function anyOutputIn(ir: GraphIR, node: number, mask: Uint8Array): boolean {
  for (let k = ir.nodeOutputOffsets[node]; k < ir.nodeOutputOffsets[node + 1]; k++) {
    const val = ir.nodeOutputs[k];
    if (val >= 0 && mask[val]) return true;
  }
  return false;
}

/** Number of folded nodes. */
export function foldedCount(folded: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < folded.length; i++) n += folded[i];
  return n;
}

/**
 * Per node, how many of its input slots carry a constant (initializer or folded node output): the constant rows
 * its box lists. With `folded` all zero (constants shown as nodes) only initializers count.
 */
export function constantInputCounts(ir: GraphIR, folded: Uint8Array): Uint16Array {
  const out = new Uint16Array(ir.nodeCount);
  for (let v = 0; v < ir.nodeCount; v++) {
    if (folded[v]) continue;
    let n = 0;
    for (let k = ir.nodeInputOffsets[v]; k < ir.nodeInputOffsets[v + 1]; k++)
      if (isConstantValue(ir, folded, ir.nodeInputs[k])) n++;
    out[v] = Math.min(65535, n);
  }
  return out;
}
