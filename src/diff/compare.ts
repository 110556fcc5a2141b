import { ValueFlag, dtypeName, str, valueShape, type GraphIR } from '../graph/ir.ts';
import { describeAttributeChanges, type NodeAttributeSource } from './attributes.ts';
import type { Matching } from './matching.ts';
import { displayName, type SideIndex } from './side-index.ts';
import { ChangeBit } from './types.ts';

/**
 * Compares every matched pair: op type, attributes, arity, the type and shape of constant inputs (and Constant-node
 * payloads), where each input comes from, and declared output types. Produces the ChangeBit set per node and the
 * list of constant payload pairs whose bytes can be compared on request. Linear in nodes + edges.
 */
export interface PairComparison {
  reasonsA: Uint16Array;
  reasonsB: Uint16Array;
  /** Constant payloads equal in type and shape, to hash when bytes are compared: flat [nodeB, slot, valueA, valueB]. */
  constantPairs: number[];
}

/** Slot used in `constantPairs` for a Constant node's own payload (its output 0) rather than an input. */
const OWN_PAYLOAD = -1;

export function comparePairs(a: SideIndex, b: SideIndex, m: Matching, attributesCompared: boolean): PairComparison {
  const A = a.ir;
  const B = b.ir;
  const reasonsA = new Uint16Array(A.nodeCount);
  const reasonsB = new Uint16Array(B.nodeCount);
  const constantPairs: number[] = [];
  for (let nb = 0; nb < B.nodeCount; nb++) {
    const na = m.pairOfB[nb];
    if (na < 0) continue;
    let bits = 0;
    if (a.opCode[na] !== b.opCode[nb]) bits |= ChangeBit.OpType;
    if (attributesCompared && a.attrFingerprint[na] !== b.attrFingerprint[nb]) bits |= ChangeBit.Attributes;
    const inA = A.nodeInputOffsets[na];
    const inB = B.nodeInputOffsets[nb];
    const insA = A.nodeInputOffsets[na + 1] - inA;
    const insB = B.nodeInputOffsets[nb + 1] - inB;
    const outA = A.nodeOutputOffsets[na];
    const outB = B.nodeOutputOffsets[nb];
    const outsA = A.nodeOutputOffsets[na + 1] - outA;
    const outsB = B.nodeOutputOffsets[nb + 1] - outB;
    if (insA !== insB || outsA !== outsB) bits |= ChangeBit.Arity;
    for (let i = 0; i < Math.min(insA, insB); i++) {
      const kind = compareInput(a, b, m, inA + i, inB + i);
      bits |= kind;
      if (kind === CONSTANT_PAIR) constantPairs.push(nb, i, A.nodeInputs[inA + i], B.nodeInputs[inB + i]);
    }
    for (let i = 0; i < Math.min(outsA, outsB); i++) {
      const va = A.nodeOutputs[outA + i];
      const vb = B.nodeOutputs[outB + i];
      if (va < 0 || vb < 0) continue;
      if (A.valueFlags[va] & ValueFlag.ConstantNode && B.valueFlags[vb] & ValueFlag.ConstantNode) {
        const kind = compareConstants(A, va, B, vb);
        bits |= kind;
        if (kind === CONSTANT_PAIR && i === 0) constantPairs.push(nb, OWN_PAYLOAD, va, vb);
      } else if (declaredTypeDiffers(A, va, B, vb)) bits |= ChangeBit.OutputType;
    }
    bits &= ~CONSTANT_PAIR;
    if (str(A, A.nodeName[na]) !== str(B, B.nodeName[nb])) bits |= ChangeBit.Renamed;
    reasonsA[na] = bits;
    reasonsB[nb] = bits;
  }
  return { reasonsA, reasonsB, constantPairs };
}

/** Marker (not a ChangeBit) for "both constants, same type and shape": a payload pair for the bytes check. */
const CONSTANT_PAIR = 1 << 14;

function compareInput(a: SideIndex, b: SideIndex, m: Matching, ka: number, kb: number): number {
  const A = a.ir;
  const B = b.ir;
  const va = A.nodeInputs[ka];
  const vb = B.nodeInputs[kb];
  if (va < 0 || vb < 0) return va < 0 && vb < 0 ? 0 : ChangeBit.Rewired;
  const pa = a.inProducer[ka];
  const pb = b.inProducer[kb];
  if (pa >= 0 && pb >= 0) return m.pairOfA[pa] === pb && a.inOutIndex[ka] === b.inOutIndex[kb] ? 0 : ChangeBit.Rewired;
  if (pa >= 0 || pb >= 0) return ChangeBit.Rewired;
  const initA = A.valueFlags[va] & ValueFlag.Initializer;
  const initB = B.valueFlags[vb] & ValueFlag.Initializer;
  if (initA !== initB) return ChangeBit.Rewired;
  if (initA) return compareConstants(A, va, B, vb);
  return m.valuePairOfA[va] === vb ? 0 : ChangeBit.Rewired;
}

function compareConstants(A: GraphIR, va: number, B: GraphIR, vb: number): number {
  let bits = 0;
  if (A.valueDtype[va] !== B.valueDtype[vb]) bits |= ChangeBit.ConstantDtype;
  if (!shapesEqual(A, va, B, vb)) bits |= ChangeBit.ConstantShape;
  return bits || CONSTANT_PAIR;
}

function shapesEqual(A: GraphIR, va: number, B: GraphIR, vb: number): boolean {
  const hasA = (A.valueFlags[va] & ValueFlag.HasShape) !== 0;
  const hasB = (B.valueFlags[vb] & ValueFlag.HasShape) !== 0;
  if (hasA !== hasB) return false;
  const sa = A.valueShapeOffsets[va];
  const sb = B.valueShapeOffsets[vb];
  const rank = A.valueShapeOffsets[va + 1] - sa;
  if (rank !== B.valueShapeOffsets[vb + 1] - sb) return false;
  for (let i = 0; i < rank; i++) {
    if (A.valueShapeDims[sa + i] !== B.valueShapeDims[sb + i]) return false;
    const symA = A.valueShapeSymbols[sa + i];
    const symB = B.valueShapeSymbols[sb + i];
    if ((symA >= 0 || symB >= 0) && str(A, symA) !== str(B, symB)) return false;
  }
  return true;
}

/** Only where both files state the type: a file that omits intermediate shapes says nothing about them. */
function declaredTypeDiffers(A: GraphIR, va: number, B: GraphIR, vb: number): boolean {
  if (!(A.valueFlags[va] & ValueFlag.HasShape) || !(B.valueFlags[vb] & ValueFlag.HasShape)) return false;
  if (A.valueDtype[va] && B.valueDtype[vb] && A.valueDtype[va] !== B.valueDtype[vb]) return true;
  return !shapesEqual(A, va, B, vb);
}

const typeString = (ir: GraphIR, v: number) => {
  const shape = valueShape(ir, v);
  return `${dtypeName(ir.valueDtype[v])}${shape ? `[${shape.map((d) => (d === -1 ? '?' : d)).join(',')}]` : ''}`;
};

/** What feeds an input, for "now from X (was Y)". */
function inputOrigin(s: SideIndex, k: number): string {
  const ir = s.ir;
  const v = ir.nodeInputs[k];
  if (v < 0) return 'nothing';
  const p = s.inProducer[k];
  if (p >= 0) return `${displayName(ir, p)}${s.inOutIndex[k] > 0 ? ` output ${s.inOutIndex[k]}` : ''}`;
  if (ir.valueFlags[v] & ValueFlag.Initializer) return `constant ${str(ir, ir.valueName[v])}`;
  if (ir.valueFlags[v] & ValueFlag.GraphInput) return `graph input ${str(ir, ir.valueName[v])}`;
  return `outer value ${str(ir, ir.valueName[v])}`;
}

export interface DescribeContext {
  a: SideIndex;
  b: SideIndex;
  matching: Matching;
  attributesA: NodeAttributeSource | null;
  attributesB: NodeAttributeSource | null;
  /** Slots (OWN_PAYLOAD for a Constant's own payload) whose bytes differ, per B node. */
  bytesDiffer: ReadonlyMap<number, number[]>;
}

/** One readable line per difference of a changed pair (computed for changed pairs only). */
export function describePair(c: DescribeContext, na: number, nb: number, bits: number): string[] {
  const A = c.a.ir;
  const B = c.b.ir;
  const out: string[] = [];
  if (bits & ChangeBit.OpType) out.push(`op: ${str(A, A.nodeOp[na])} → ${str(B, B.nodeOp[nb])}`);
  if (bits & ChangeBit.Attributes)
    out.push(...describeAttributeChanges(c.attributesA?.of(na) ?? null, c.attributesB?.of(nb) ?? null));
  const inA = A.nodeInputOffsets[na];
  const inB = B.nodeInputOffsets[nb];
  const insA = A.nodeInputOffsets[na + 1] - inA;
  const insB = B.nodeInputOffsets[nb + 1] - inB;
  const outsA = A.nodeOutputOffsets[na + 1] - A.nodeOutputOffsets[na];
  const outsB = B.nodeOutputOffsets[nb + 1] - B.nodeOutputOffsets[nb];
  if (insA !== insB) out.push(`inputs: ${insA} → ${insB}`);
  if (outsA !== outsB) out.push(`outputs: ${outsA} → ${outsB}`);
  for (let i = 0; i < Math.min(insA, insB); i++) {
    const kind = compareInput(c.a, c.b, c.matching, inA + i, inB + i);
    const va = A.nodeInputs[inA + i];
    const vb = B.nodeInputs[inB + i];
    if (kind & ChangeBit.Rewired)
      out.push(`input ${i}: now from ${inputOrigin(c.b, inB + i)} (was ${inputOrigin(c.a, inA + i)})`);
    else if (kind & (ChangeBit.ConstantDtype | ChangeBit.ConstantShape))
      out.push(`input ${i} constant: ${typeString(A, va)} → ${typeString(B, vb)}`);
  }
  for (let i = 0; i < Math.min(outsA, outsB); i++) {
    const va = A.nodeOutputs[A.nodeOutputOffsets[na] + i];
    const vb = B.nodeOutputs[B.nodeOutputOffsets[nb] + i];
    if (va < 0 || vb < 0) continue;
    const constants = A.valueFlags[va] & ValueFlag.ConstantNode && B.valueFlags[vb] & ValueFlag.ConstantNode;
    if (constants && compareConstants(A, va, B, vb) !== CONSTANT_PAIR)
      out.push(`value: ${typeString(A, va)} → ${typeString(B, vb)}`);
    else if (!constants && declaredTypeDiffers(A, va, B, vb))
      out.push(`output ${i}: ${typeString(A, va)} → ${typeString(B, vb)}`);
  }
  for (const slot of c.bytesDiffer.get(nb) ?? [])
    out.push(slot === OWN_PAYLOAD ? 'value bytes differ' : `input ${slot} constant: bytes differ`);
  return out;
}
