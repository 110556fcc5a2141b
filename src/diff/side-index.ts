import { GraphKind, ValueFlag, str, type GraphIR } from '../graph/ir.ts';
import { finish, mix, mixNumber } from '../graph/hash.ts';

/**
 * Per-side columns the matcher and the comparison read: who produces each node input, op codes numbered the same
 * on both sides, and structural signatures (Weisfeiler–Lehman rounds over op, attributes, constant shapes and
 * neighbours). All linear in nodes + edges.
 */
export interface SideIndex {
  ir: GraphIR;
  /** Op type as a code shared by both sides (equal code ⇔ equal op string). */
  opCode: Uint32Array;
  /** Per node-input CSR position: producing node, or -1 (graph input, initializer, omitted). */
  inProducer: Int32Array;
  /** Per node-input CSR position: index of the value among its producer's outputs, or -1. */
  inOutIndex: Int32Array;
  /** Per value: index among its producer's outputs, or -1. */
  valueOutIndex: Int32Array;
  /** Attribute fingerprint per node (0: none or not read). */
  attrFingerprint: Uint32Array;
  /**
   * `signatures[r]`: signature after r rounds; round 0 = op, attributes, arity and constant-input shapes;
   * each round folds in the previous signatures of producers (by slot) and consumers (as a multiset).
   */
  signatures: Uint32Array[];
  /** Name key per node: graph scope + name, '' for unnamed nodes (never matched by name). */
  nameKey: string[];
}

export const SIGNATURE_ROUNDS = 3;

/** Numbers op strings of both IRs in one table, so op codes compare across sides. */
export function sharedOpCodes(a: GraphIR, b: GraphIR): [Uint32Array, Uint32Array] {
  const table = new Map<string, number>();
  const codes = (ir: GraphIR) => {
    const byString = new Int32Array(ir.strings.length).fill(-1);
    const out = new Uint32Array(ir.nodeCount);
    for (let n = 0; n < ir.nodeCount; n++) {
      const s = ir.nodeOp[n];
      if (byString[s] < 0) {
        const op = str(ir, s);
        let code = table.get(op);
        if (code === undefined) table.set(op, (code = table.size + 1));
        byString[s] = code;
      }
      out[n] = byString[s];
    }
    return out;
  };
  return [codes(a), codes(b)];
}

export function buildSideIndex(ir: GraphIR, opCode: Uint32Array, attrFingerprint: Uint32Array): SideIndex {
  const valueOutIndex = new Int32Array(ir.valueCount).fill(-1);
  for (let n = 0; n < ir.nodeCount; n++) {
    for (let k = ir.nodeOutputOffsets[n], i = 0; k < ir.nodeOutputOffsets[n + 1]; k++, i++) {
      const v = ir.nodeOutputs[k];
      if (v >= 0 && valueOutIndex[v] < 0) valueOutIndex[v] = i;
    }
  }
  const edges = ir.nodeInputs.length;
  const inProducer = new Int32Array(edges).fill(-1);
  const inOutIndex = new Int32Array(edges).fill(-1);
  for (let k = 0; k < edges; k++) {
    const v = ir.nodeInputs[k];
    if (v < 0) continue;
    inProducer[k] = ir.valueProducer[v];
    inOutIndex[k] = valueOutIndex[v];
  }
  const index: SideIndex = {
    ir,
    opCode,
    inProducer,
    inOutIndex,
    valueOutIndex,
    attrFingerprint,
    signatures: [],
    nameKey: nameKeys(ir),
  };
  index.signatures.push(baseSignatures(index));
  for (let r = 1; r <= SIGNATURE_ROUNDS; r++) index.signatures.push(refineSignatures(index, index.signatures[r - 1]));
  return index;
}

/** Hash of a constant's element type and shape (what a constant input contributes to its consumer's signature). */
function constantSignature(ir: GraphIR, v: number): number {
  let h = mix(0x51ed27, ir.valueDtype[v]);
  for (let i = ir.valueShapeOffsets[v]; i < ir.valueShapeOffsets[v + 1]; i++) h = mixNumber(h, ir.valueShapeDims[i]);
  return finish(mix(h, ir.valueShapeOffsets[v + 1] - ir.valueShapeOffsets[v]));
}

/** What feeds an input slot when no node does: a constant (by type and shape), a graph input, or nothing. */
function sourceKind(ir: GraphIR, v: number): number {
  if (v < 0) return 0x0e;
  const flags = ir.valueFlags[v];
  if (flags & ValueFlag.Initializer) return constantSignature(ir, v);
  if (flags & ValueFlag.GraphInput) return 0x1a;
  return 0x2b;
}

function baseSignatures(s: SideIndex): Uint32Array {
  const ir = s.ir;
  const out = new Uint32Array(ir.nodeCount);
  for (let n = 0; n < ir.nodeCount; n++) {
    let h = mix(mix(s.opCode[n], s.attrFingerprint[n]), ir.nodeOutputOffsets[n + 1] - ir.nodeOutputOffsets[n]);
    h = mix(h, ir.nodeInputOffsets[n + 1] - ir.nodeInputOffsets[n]);
    for (let k = ir.nodeInputOffsets[n]; k < ir.nodeInputOffsets[n + 1]; k++) {
      h = mix(h, s.inProducer[k] >= 0 ? 0x3c : sourceKind(ir, ir.nodeInputs[k]));
    }
    out[n] = finish(h);
  }
  return out;
}

function refineSignatures(s: SideIndex, prev: Uint32Array): Uint32Array {
  const ir = s.ir;
  // Consumers as an order-free sum: files list a value's readers in any order.
  const consumers = new Uint32Array(ir.nodeCount);
  for (let c = 0; c < ir.nodeCount; c++) {
    for (let k = ir.nodeInputOffsets[c], slot = 0; k < ir.nodeInputOffsets[c + 1]; k++, slot++) {
      const p = s.inProducer[k];
      if (p >= 0) consumers[p] = (consumers[p] + finish(mix(mix(prev[c], slot), s.inOutIndex[k]))) | 0;
    }
  }
  const out = new Uint32Array(ir.nodeCount);
  for (let n = 0; n < ir.nodeCount; n++) {
    let h = mix(prev[n], 0x7f4a7c15);
    for (let k = ir.nodeInputOffsets[n]; k < ir.nodeInputOffsets[n + 1]; k++) {
      const p = s.inProducer[k];
      h = mix(h, p >= 0 ? mix(prev[p], s.inOutIndex[k]) : 0);
    }
    out[n] = finish(mix(h, consumers[n]));
  }
  return out;
}

/**
 * `scope \u0001 name` per node, '' for unnamed ones. The scope keeps equal names in different graphs apart (two If
 * branches may both hold an `Identity_0`): '' for the main graph, the owner's name and the graph name for bodies.
 */
function nameKeys(ir: GraphIR): string[] {
  const scope: string[] = [];
  for (let g = 0; g < ir.graphCount; g++) {
    const owner = ir.graphParentNode[g];
    if (ir.graphKind[g] === GraphKind.Main) scope.push('');
    else if (ir.graphKind[g] === GraphKind.Function) scope.push(`function:${str(ir, ir.graphName[g])}`);
    else scope.push(`${owner >= 0 ? str(ir, ir.nodeName[owner]) : ''}/${str(ir, ir.graphName[g])}`);
  }
  const out = new Array<string>(ir.nodeCount);
  for (let n = 0; n < ir.nodeCount; n++) {
    const name = str(ir, ir.nodeName[n]);
    out[n] = name ? `${scope[ir.nodeGraph[n]] ?? ''}\u0001${name}` : '';
  }
  return out;
}

/** The node's name, or `Op#id` when it has none. */
export function displayName(ir: GraphIR, n: number): string {
  return str(ir, ir.nodeName[n]) || `${str(ir, ir.nodeOp[n])}#${n}`;
}
