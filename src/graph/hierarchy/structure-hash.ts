import type { EdgePlacement, NodeEdges } from './edges.ts';
import { groupItem, isGroupItem, itemGroup, type Hierarchy } from './types.ts';
import type { GraphIR } from '../ir.ts';
import { finish, hashString, mix } from '../hash.ts';

/**
 * Structure of a group = its items in dataflow order (op type and input count of direct nodes, structure of
 * child groups) + its internal wiring: every edge whose lowest common group is this one, as (target item,
 * node inside it, input slot) ← (source item, node inside it, output slot), sorted.
 *
 * Two outputs per group, computed bottom-up in one pass:
 * - `hash`: 32-bit digest built from op *names*, so the same block hashes the same in any file;
 * - `cls`: an exact class id (hash buckets are verified element by element), safe as a layout-cache key.
 * Names of nodes and groups are deliberately left out: `h.3` and `h.4` are the same structure.
 */
export function structureClasses(
  ir: GraphIR,
  h: Hierarchy,
  edges: NodeEdges,
  placement: EdgePlacement,
  nodeRows?: Uint16Array,
): { hash: Uint32Array; cls: Uint32Array } {
  const G = h.groupCount;
  const { groupItemOffsets: itemOff, groupItems: items } = h;

  // Index of each node among the nodes of any enclosing group's subtree (leaves are contiguous in item DFS).
  const leafIndex = new Uint32Array(ir.nodeCount);
  const leafStart = new Uint32Array(G);
  {
    let counter = 0;
    const stack: number[] = [groupItem(0)];
    while (stack.length) {
      const item = stack.pop()!;
      if (!isGroupItem(item)) {
        leafIndex[item] = counter++;
        continue;
      }
      const g = itemGroup(item);
      leafStart[g] = counter;
      for (let k = itemOff[g + 1] - 1; k >= itemOff[g]; k--) stack.push(items[k]);
    }
  }

  const { lcaOffsets: bucketOff, lcaEdges: bucket } = placement;

  // Digest of each op-type string, by string index (filled on first use). Sized by the largest op id, not the
  // string table: a million-node model has millions of strings but a few dozen op types.
  let maxOp = 0;
  for (let v = 0; v < ir.nodeCount; v++) if (ir.nodeOp[v] > maxOp) maxOp = ir.nodeOp[v];
  const opHash = new Uint32Array(maxOp + 1);
  const opKnown = new Uint8Array(maxOp + 1);
  const opDigest = (op: number) => {
    if (!opKnown[op]) {
      opHash[op] = hashString(ir.strings.at(op) ?? '');
      opKnown[op] = 1;
    }
    return opHash[op];
  };

  const hash = new Uint32Array(G);
  const cls = new Uint32Array(G);
  const reps = new Map<number, { cls: number; sig: Int32Array }[]>();
  let classCount = 0;
  const tuple = 6;
  let scratch = new Int32Array(64);

  // Children have larger ids than parents, so descending ids is a valid bottom-up order.
  for (let g = G - 1; g >= 0; g--) {
    const first = itemOff[g];
    const nItems = itemOff[g + 1] - first;
    const nEdges = bucketOff[g + 1] - bucketOff[g];
    const sigLen = 2 + nItems * 2 + nEdges * tuple;
    if (scratch.length < sigLen) scratch = new Int32Array(sigLen * 2);
    const sig = scratch;
    let w = 0;
    let dig = mix(0x9e3779b9, nItems);
    sig[w++] = nItems;
    for (let k = first; k < first + nItems; k++) {
      const item = items[k];
      if (!isGroupItem(item)) {
        // Row count (box height) rides in the high bits: boxes of different heights cannot share a layout.
        const arity =
          ir.nodeInputOffsets[item + 1] -
          ir.nodeInputOffsets[item] +
          (nodeRows ? Math.min(nodeRows[item], 2047) << 20 : 0);
        sig[w++] = ir.nodeOp[item] * 2;
        sig[w++] = arity;
        dig = mix(mix(dig, opDigest(ir.nodeOp[item])), arity);
      } else {
        const c = itemGroup(item);
        sig[w++] = cls[c] * 2 + 1;
        sig[w++] = -1;
        dig = mix(mix(dig, hash[c]), 0x51ed27);
      }
    }
    sig[w++] = nEdges;
    dig = mix(dig, nEdges);
    const edgeBase = w;
    for (let k = bucketOff[g]; k < bucketOff[g + 1]; k++) {
      const e = bucket[k];
      const si = placement.srcItem[e];
      const di = placement.dstItem[e];
      const sItem = items[first + si];
      const dItem = items[first + di];
      // Target first: edges arrive bucketed in consumer (dataflow) order, so the sort below is usually a no-op.
      sig[w++] = di;
      sig[w++] = isGroupItem(dItem) ? leafIndex[edges.dst[e]] - leafStart[itemGroup(dItem)] : 0;
      sig[w++] = edges.slot[e];
      sig[w++] = si;
      sig[w++] = isGroupItem(sItem) ? leafIndex[edges.src[e]] - leafStart[itemGroup(sItem)] : 0;
      sig[w++] = edges.out[e];
    }
    sortTuples(sig, edgeBase, nEdges, tuple);
    for (let k = edgeBase; k < w; k++) dig = mix(dig, sig[k]);
    dig = finish(dig);
    hash[g] = dig;

    // Exact class: compare against the representatives sharing this digest.
    const candidates = reps.get(dig);
    let found = -1;
    if (candidates) {
      for (const rep of candidates) {
        if (rep.sig.length === w && equalPrefix(rep.sig, sig, w)) {
          found = rep.cls;
          break;
        }
      }
    }
    if (found < 0) {
      found = classCount++;
      const rep = { cls: found, sig: sig.slice(0, w) };
      if (candidates) candidates.push(rep);
      else reps.set(dig, [rep]);
    }
    cls[g] = found;
  }
  return { hash, cls };
}

function equalPrefix(a: Int32Array, b: Int32Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Sorts `count` tuples of `size` ints in place, lexicographically (usually already sorted, or nearly). */
function sortTuples(a: Int32Array, base: number, count: number, size: number): void {
  if (count < 2) return;
  let sorted = true;
  for (let i = 1; i < count && sorted; i++)
    sorted = compareTuples(a, base + (i - 1) * size, base + i * size, size) <= 0;
  if (sorted) return;
  // Insertion sort through a scratch tuple: groups are small (chunked to ≤ ~150 items), inputs nearly sorted.
  const tmp = new Int32Array(size);
  for (let i = 1; i < count; i++) {
    const pi = base + i * size;
    if (compareTuples(a, pi - size, pi, size) <= 0) continue;
    for (let k = 0; k < size; k++) tmp[k] = a[pi + k];
    let j = i - 1;
    while (j >= 0 && compareWith(a, base + j * size, tmp, size) > 0) {
      a.copyWithin(base + (j + 1) * size, base + j * size, base + (j + 1) * size);
      j--;
    }
    a.set(tmp, base + (j + 1) * size);
  }
}

function compareTuples(a: Int32Array, p: number, q: number, size: number): number {
  for (let k = 0; k < size; k++) {
    const d = a[p + k] - a[q + k];
    if (d) return d;
  }
  return 0;
}

function compareWith(a: Int32Array, p: number, t: Int32Array, size: number): number {
  for (let k = 0; k < size; k++) {
    const d = a[p + k] - t[k];
    if (d) return d;
  }
  return 0;
}
