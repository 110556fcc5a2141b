import { ValueFlag, graphInputIds, graphOutputIds, str, type GraphIR } from '../graph/ir.ts';
import { SIGNATURE_ROUNDS, type SideIndex } from './side-index.ts';
import { MatchMethod } from './types.ts';

/**
 * Pairs the nodes of two models:
 * 1. by name (names unique on both sides, within the same graph scope), then dropping name pairs whose wiring
 *    disagrees with the other name pairs more than it agrees (exporters that number unscoped nodes globally, like
 *    `Constant_113`, reuse a name for another node when a layer is added);
 * 2. by propagation from matched neighbours: a matched node pair pairs its input and output values slot by slot,
 *    and a value pair pairs its producers and its consumers (same op, same slot / output index, same signature);
 * 3. by structural signature: a signature found exactly once among the unmatched nodes of each side pairs them,
 *    which seeds propagation in graphs whose names all changed.
 * Steps 2–3 run from the strictest signature (most rounds) down to the op type alone, so the best evidence wins.
 * Every step is a pass over typed arrays and hash maps: linear in nodes + edges per level.
 */
export interface Matching {
  pairOfA: Int32Array;
  pairOfB: Int32Array;
  /** MatchMethod per B node. */
  matchedBy: Uint8Array;
  valuePairOfA: Int32Array;
  valuePairOfB: Int32Array;
}

export function matchNodes(a: SideIndex, b: SideIndex): Matching {
  return new Matcher(a, b).run();
}

class Matcher {
  readonly pairOfA: Int32Array;
  readonly pairOfB: Int32Array;
  readonly matchedBy: Uint8Array;
  readonly valuePairOfA: Int32Array;
  readonly valuePairOfB: Int32Array;
  /** Paired values of A in pairing order; propagation walks this list while it grows. */
  private readonly valueQueue: number[] = [];
  /** A value pair that can pair nothing more (producers settled, no unmatched readers on one side), per A value. */
  private readonly settled: Uint8Array;
  private matched = 0;
  /** Reused reader lists (visitValuePair runs once per value pair and level: no garbage per visit). */
  private readonly scratchA: number[] = [];
  private readonly scratchB: number[] = [];

  constructor(
    private readonly a: SideIndex,
    private readonly b: SideIndex,
  ) {
    this.pairOfA = new Int32Array(a.ir.nodeCount).fill(-1);
    this.pairOfB = new Int32Array(b.ir.nodeCount).fill(-1);
    this.matchedBy = new Uint8Array(b.ir.nodeCount);
    this.valuePairOfA = new Int32Array(a.ir.valueCount).fill(-1);
    this.valuePairOfB = new Int32Array(b.ir.valueCount).fill(-1);
    this.settled = new Uint8Array(a.ir.valueCount);
  }

  run(): Matching {
    this.matchByName();
    this.seedValues();
    for (let r = SIGNATURE_ROUNDS; r >= 0; r--) {
      const keyA = this.a.signatures[r];
      const keyB = this.b.signatures[r];
      this.propagate(keyA, keyB);
      if (this.matchUniqueSignatures(keyA, keyB)) this.propagate(keyA, keyB);
    }
    this.propagate(this.a.opCode, this.b.opCode);
    return {
      pairOfA: this.pairOfA,
      pairOfB: this.pairOfB,
      matchedBy: this.matchedBy,
      valuePairOfA: this.valuePairOfA,
      valuePairOfB: this.valuePairOfB,
    };
  }

  private match(na: number, nb: number, how: MatchMethod): void {
    this.link(na, nb, how);
    this.pairNodeValues(na, nb);
  }

  private link(na: number, nb: number, how: MatchMethod): void {
    this.pairOfA[na] = nb;
    this.pairOfB[nb] = na;
    this.matchedBy[nb] = how;
    this.matched++;
  }

  private unlink(na: number, nb: number): void {
    this.pairOfA[na] = -1;
    this.pairOfB[nb] = -1;
    this.matchedBy[nb] = MatchMethod.None;
    this.matched--;
  }

  private pairNodeValues(na: number, nb: number): void {
    const A = this.a.ir;
    const B = this.b.ir;
    const outs = Math.min(
      A.nodeOutputOffsets[na + 1] - A.nodeOutputOffsets[na],
      B.nodeOutputOffsets[nb + 1] - B.nodeOutputOffsets[nb],
    );
    for (let i = 0; i < outs; i++)
      this.pairValues(A.nodeOutputs[A.nodeOutputOffsets[na] + i], B.nodeOutputs[B.nodeOutputOffsets[nb] + i]);
    const ins = Math.min(
      A.nodeInputOffsets[na + 1] - A.nodeInputOffsets[na],
      B.nodeInputOffsets[nb + 1] - B.nodeInputOffsets[nb],
    );
    for (let i = 0; i < ins; i++)
      this.pairValues(A.nodeInputs[A.nodeInputOffsets[na] + i], B.nodeInputs[B.nodeInputOffsets[nb] + i]);
  }

  private pairValues(va: number, vb: number): void {
    if (va < 0 || vb < 0 || this.valuePairOfA[va] >= 0 || this.valuePairOfB[vb] >= 0) return;
    this.valuePairOfA[va] = vb;
    this.valuePairOfB[vb] = va;
    this.valueQueue.push(va);
  }

  private matchByName(): void {
    const unique = (keys: string[]) => {
      const m = new Map<string, number>();
      for (let n = 0; n < keys.length; n++) {
        const k = keys[n];
        if (k) m.set(k, m.has(k) ? -1 : n);
      }
      return m;
    };
    const inA = unique(this.a.nameKey);
    const inB = unique(this.b.nameKey);
    // B order, so pairs (and the values they pair) come in B's file order.
    for (const [key, nb] of inB) {
      const na = inA.get(key);
      if (na !== undefined && na >= 0 && nb >= 0) this.link(na, nb, MatchMethod.Name);
    }
    for (let pass = 0; pass < 2; pass++) if (!this.dropInconsistentNamePairs()) break;
    for (let nb = 0; nb < this.pairOfB.length; nb++)
      if (this.pairOfB[nb] >= 0) this.pairNodeValues(this.pairOfB[nb], nb);
  }

  /**
   * Counts, for every pair, the edges to paired neighbours that agree (the same producer feeds the same slot on
   * both sides) and those that do not; unpairs name pairs with more disagreeing than agreeing edges. O(edges).
   */
  private dropInconsistentNamePairs(): boolean {
    const A = this.a.ir;
    const B = this.b.ir;
    const agree = new Uint32Array(B.nodeCount);
    const disagree = new Uint32Array(B.nodeCount);
    for (let cb = 0; cb < B.nodeCount; cb++) {
      const ca = this.pairOfB[cb];
      if (ca < 0) continue;
      const slots = Math.min(
        B.nodeInputOffsets[cb + 1] - B.nodeInputOffsets[cb],
        A.nodeInputOffsets[ca + 1] - A.nodeInputOffsets[ca],
      );
      for (let i = 0; i < slots; i++) {
        const pb = this.b.inProducer[B.nodeInputOffsets[cb] + i];
        const pa = this.a.inProducer[A.nodeInputOffsets[ca] + i];
        if (pb < 0 && pa < 0) continue;
        const pairedB = pb >= 0 && this.pairOfB[pb] >= 0;
        const pairedA = pa >= 0 && this.pairOfA[pa] >= 0;
        if (!pairedA && !pairedB) continue;
        if (pairedA && this.pairOfA[pa] === pb) {
          agree[cb]++;
          agree[pb]++;
          continue;
        }
        disagree[cb]++;
        if (pairedB) disagree[pb]++;
        if (pairedA) disagree[this.pairOfA[pa]]++;
      }
    }
    let dropped = false;
    for (let nb = 0; nb < B.nodeCount; nb++) {
      if (this.matchedBy[nb] === MatchMethod.Name && disagree[nb] > agree[nb]) {
        this.unlink(this.pairOfB[nb], nb);
        dropped = true;
      }
    }
    return dropped;
  }

  /**
   * Value pairs that need no node pair: main-graph inputs and outputs by name, then the rest by position; and
   * tensors with the same unique name whose producers have the same op (both constants or inputs when none).
   */
  private seedValues(): void {
    const A = this.a.ir;
    const B = this.b.ir;
    if (A.graphCount && B.graphCount) {
      this.pairListed([...graphInputIds(A, 0)], [...graphInputIds(B, 0)]);
      this.pairListed([...graphOutputIds(A, 0)], [...graphOutputIds(B, 0)]);
    }
    // Only values the name pairs left unpaired: when most nodes paired by name this map stays small.
    const byName = (ir: GraphIR, paired: Int32Array) => {
      const m = new Map<string, number>();
      for (let v = 0; v < ir.valueCount; v++) {
        if (paired[v] >= 0) continue;
        const name = str(ir, ir.valueName[v]);
        if (name) m.set(name, m.has(name) ? -1 : v);
      }
      return m;
    };
    const namesA = byName(A, this.valuePairOfA);
    for (const [name, vb] of byName(B, this.valuePairOfB)) {
      const va = namesA.get(name);
      if (va === undefined || va < 0 || vb < 0) continue;
      const pa = A.valueProducer[va];
      const pb = B.valueProducer[vb];
      const compatible =
        pa >= 0 && pb >= 0
          ? this.a.opCode[pa] === this.b.opCode[pb]
          : pa < 0 &&
            pb < 0 &&
            (A.valueFlags[va] & ValueFlag.Initializer) === (B.valueFlags[vb] & ValueFlag.Initializer);
      if (compatible) this.pairValues(va, vb);
    }
  }

  private pairListed(listA: number[], listB: number[]): void {
    const A = this.a.ir;
    const B = this.b.ir;
    const namesA = new Map(listA.map((v) => [str(A, A.valueName[v]), v]));
    const restB: number[] = [];
    for (const vb of listB) {
      const va = namesA.get(str(B, B.valueName[vb]));
      if (va !== undefined) this.pairValues(va, vb);
      else restB.push(vb);
    }
    const restA = listA.filter((v) => this.valuePairOfA[v] < 0);
    if (restA.length === restB.length) for (let i = 0; i < restA.length; i++) this.pairValues(restA[i], restB[i]);
  }

  /** Pairs nodes whose signature occurs once among the unmatched nodes of each side. */
  private matchUniqueSignatures(keyA: Uint32Array, keyB: Uint32Array): boolean {
    const count = (key: Uint32Array, pair: Int32Array) => {
      const m = new Map<number, number>();
      for (let n = 0; n < key.length; n++) if (pair[n] < 0) m.set(key[n], m.has(key[n]) ? -1 : n);
      return m;
    };
    const inA = count(keyA, this.pairOfA);
    const before = this.matched;
    for (const [sig, nb] of count(keyB, this.pairOfB)) {
      const na = inA.get(sig);
      if (na === undefined || na < 0 || nb < 0 || this.a.opCode[na] !== this.b.opCode[nb]) continue;
      this.match(na, nb, MatchMethod.Signature);
    }
    return this.matched > before;
  }

  /** Walks every value pair (the queue grows as nodes match) until a whole pass adds nothing. */
  private propagate(keyA: Uint32Array, keyB: Uint32Array): void {
    for (;;) {
      const before = this.matched;
      for (let i = 0; i < this.valueQueue.length; i++) {
        const va = this.valueQueue[i];
        if (!this.settled[va]) this.visitValuePair(va, this.valuePairOfA[va], keyA, keyB);
      }
      if (this.matched === before) return;
    }
  }

  private visitValuePair(va: number, vb: number, keyA: Uint32Array, keyB: Uint32Array): void {
    const A = this.a.ir;
    const B = this.b.ir;
    const pa = A.valueProducer[va];
    const pb = B.valueProducer[vb];
    if (
      pa >= 0 &&
      pb >= 0 &&
      this.pairOfA[pa] < 0 &&
      this.pairOfB[pb] < 0 &&
      keyA[pa] === keyB[pb] &&
      this.a.opCode[pa] === this.b.opCode[pb] &&
      this.a.valueOutIndex[va] === this.b.valueOutIndex[vb]
    ) {
      this.match(pa, pb, MatchMethod.Neighbours);
    }
    // Unmatched readers only ever get fewer, so an empty side means this pair is done with readers for good.
    const producersSettled = pa < 0 || pb < 0 || this.pairOfA[pa] >= 0 || this.pairOfB[pb] >= 0;
    const ca = unmatchedConsumers(A, va, this.pairOfA, this.scratchA);
    const cb = ca.length ? unmatchedConsumers(B, vb, this.pairOfB, this.scratchB) : ca;
    if (!ca.length || !cb.length) {
      if (producersSettled) this.settled[va] = 1;
      return;
    }
    if (ca.length === 2 && cb.length === 2) {
      // The common case (one reader each side): no grouping needed.
      const [na, sa] = ca;
      const [nb, sb] = cb;
      if (sa === sb && keyA[na] === keyB[nb] && this.a.opCode[na] === this.b.opCode[nb])
        this.match(na, nb, MatchMethod.Neighbours);
      return;
    }
    // Group readers by (slot, key); a group of equal size on both sides pairs in file order (parallel branches).
    const groups = new Map<number, number[]>();
    for (let i = 0; i < ca.length; i += 2) {
      const g = (keyA[ca[i]] ^ Math.imul(ca[i + 1] + 1, 0x9e3779b1)) >>> 0;
      const list = groups.get(g);
      if (list) list.push(ca[i]);
      else groups.set(g, [ca[i]]);
    }
    const groupsB = new Map<number, number[]>();
    for (let i = 0; i < cb.length; i += 2) {
      const g = (keyB[cb[i]] ^ Math.imul(cb[i + 1] + 1, 0x9e3779b1)) >>> 0;
      const list = groupsB.get(g);
      if (list) list.push(cb[i]);
      else groupsB.set(g, [cb[i]]);
    }
    for (const [g, listB] of groupsB) {
      const listA = groups.get(g);
      if (!listA || listA.length !== listB.length) continue;
      for (let i = 0; i < listA.length; i++) {
        const na = listA[i];
        const nb = listB[i];
        if (this.pairOfA[na] < 0 && this.pairOfB[nb] < 0 && this.a.opCode[na] === this.b.opCode[nb])
          this.match(na, nb, MatchMethod.Neighbours);
      }
    }
  }
}

/** Flat [node, slot, node, slot, …] of the unmatched nodes reading `v` (a node reading it twice appears twice). */
function unmatchedConsumers(ir: GraphIR, v: number, pairOf: Int32Array, out: number[]): number[] {
  out.length = 0;
  for (let k = ir.valueConsumerOffsets[v]; k < ir.valueConsumerOffsets[v + 1]; k++) {
    const c = ir.valueConsumers[k];
    if (pairOf[c] >= 0) continue;
    if (k > ir.valueConsumerOffsets[v] && ir.valueConsumers[k - 1] === c) continue;
    for (let j = ir.nodeInputOffsets[c], slot = 0; j < ir.nodeInputOffsets[c + 1]; j++, slot++) {
      if (ir.nodeInputs[j] === v) out.push(c, slot);
    }
  }
  return out;
}
