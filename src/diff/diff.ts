import { attributeFingerprints, readAllAttributes } from './attributes.ts';
import { payloadDigests } from './bytes.ts';
import { comparePairs, describePair, type DescribeContext } from './compare.ts';
import { ghostAnchors } from './ghosts.ts';
import { matchNodes } from './matching.ts';
import { buildSideIndex, displayName, sharedOpCodes } from './side-index.ts';
import {
  CHANGE_KINDS,
  CHANGE_MASK,
  ChangeBit,
  MatchMethod,
  NodeStatus,
  type DiffOptions,
  type DiffSide,
  type ModelDiff,
  type NodeChange,
  type NodeRename,
} from './types.ts';

const DEFAULT_MAX_READ = 4 << 20;

/**
 * Compares two models node by node (see matching.ts for how nodes are paired and compare.ts for what makes a pair
 * changed). Pure apart from range reads on the two sources (attributes, and constant payloads with `bytes`), so it
 * runs in Node (CLI) and in the decode worker alike. Near-linear in nodes + edges.
 */
export async function diffModels(sideA: DiffSide, sideB: DiffSide, options: DiffOptions = {}): Promise<ModelDiff> {
  const t0 = performance.now();
  const A = sideA.ir;
  const B = sideB.ir;
  const notes: string[] = [];

  const [attributesA, attributesB] = await Promise.all([readAllAttributes(sideA), readAllAttributes(sideB)]);
  const attributesCompared = attributesA !== null && attributesB !== null;
  if (!attributesCompared) {
    const formats = [...new Set([A.format, B.format])].join(' and ');
    notes.push(
      `attributes not compared: the ${formats} decoder does not expose node attributes; op types, arity, wiring and constant types/shapes were compared`,
    );
  }
  const t1 = performance.now();

  const [opsA, opsB] = sharedOpCodes(A, B);
  const a = buildSideIndex(A, opsA, attributeFingerprints(A.nodeCount, attributesA));
  const b = buildSideIndex(B, opsB, attributeFingerprints(B.nodeCount, attributesB));
  const t2 = performance.now();

  const matching = matchNodes(a, b);
  const t3 = performance.now();

  const { reasonsA, reasonsB, constantPairs } = comparePairs(a, b, matching, attributesCompared);
  const t4 = performance.now();

  const bytesDiffer = new Map<number, number[]>();
  if (options.bytes) {
    const maxRead = options.maxReadBytes ?? DEFAULT_MAX_READ;
    const valuesA: number[] = [];
    const valuesB: number[] = [];
    for (let i = 0; i < constantPairs.length; i += 4) {
      valuesA.push(constantPairs[i + 2]);
      valuesB.push(constantPairs[i + 3]);
    }
    const [da, db] = await Promise.all([
      payloadDigests(sideA, valuesA, maxRead),
      payloadDigests(sideB, valuesB, maxRead),
    ]);
    let unread = 0;
    for (let i = 0; i < constantPairs.length; i += 4) {
      const [nb, slot, va, vb] = [constantPairs[i], constantPairs[i + 1], constantPairs[i + 2], constantPairs[i + 3]];
      const ha = da.digests.get(va);
      const hb = db.digests.get(vb);
      if (ha === undefined || hb === undefined) {
        unread++;
        continue;
      }
      if (ha === hb && A.valueDataEncoding[va] === B.valueDataEncoding[vb]) continue;
      const list = bytesDiffer.get(nb);
      if (list) list.push(slot);
      else bytesDiffer.set(nb, [slot]);
      reasonsB[nb] |= ChangeBit.ConstantBytes;
      reasonsA[matching.pairOfB[nb]] |= ChangeBit.ConstantBytes;
    }
    if (unread)
      notes.push(
        `${unread} constant payloads were not compared: the file records no byte range for them (or their external file could not be opened)`,
      );
  } else notes.push('constant bytes not compared (use --bytes)');
  const t5 = performance.now();

  const statusA = new Uint8Array(A.nodeCount);
  const statusB = new Uint8Array(B.nodeCount);
  const changes: NodeChange[] = [];
  const renames: NodeRename[] = [];
  const context: DescribeContext = { a, b, matching, attributesA, attributesB, bytesDiffer };
  const added: number[] = [];
  let byName = 0;
  let byNeighbours = 0;
  let bySignature = 0;
  for (let nb = 0; nb < B.nodeCount; nb++) {
    const na = matching.pairOfB[nb];
    if (na < 0) {
      statusB[nb] = NodeStatus.Added;
      added.push(nb);
      continue;
    }
    const how = matching.matchedBy[nb];
    if (how === MatchMethod.Name) byName++;
    else if (how === MatchMethod.Neighbours) byNeighbours++;
    else if (how === MatchMethod.Signature) bySignature++;
    const bits = reasonsB[nb];
    if (bits & ChangeBit.Renamed) renames.push({ nodeA: na, nodeB: nb, a: displayName(A, na), b: displayName(B, nb) });
    if (bits & CHANGE_MASK) {
      statusA[na] = NodeStatus.Changed;
      statusB[nb] = NodeStatus.Changed;
      const kinds = CHANGE_KINDS.filter((_, i) => bits & (1 << i) && i < 8);
      changes.push({
        nodeA: na,
        nodeB: nb,
        a: displayName(A, na),
        b: displayName(B, nb),
        kinds,
        what: describePair(context, na, nb, bits),
      });
    }
  }
  const removed: number[] = [];
  for (let na = 0; na < A.nodeCount; na++) {
    if (matching.pairOfA[na] < 0) {
      statusA[na] = NodeStatus.Removed;
      removed.push(na);
    }
  }
  const matched = B.nodeCount - added.length;
  const t6 = performance.now();
  return {
    pairOfA: matching.pairOfA,
    pairOfB: matching.pairOfB,
    statusA,
    statusB,
    reasonsA,
    reasonsB,
    matchedBy: matching.matchedBy,
    ghostAnchorA: ghostAnchors(A, matching.pairOfA),
    added: Uint32Array.from(added),
    removed: Uint32Array.from(removed),
    changes,
    renames,
    counts: {
      nodesA: A.nodeCount,
      nodesB: B.nodeCount,
      matched,
      unchanged: matched - changes.length,
      changed: changes.length,
      added: added.length,
      removed: removed.length,
      renamed: renames.length,
      byName,
      byNeighbours,
      bySignature,
    },
    notes,
    timings: {
      attributesMs: t1 - t0,
      indexMs: t2 - t1,
      matchMs: t3 - t2,
      compareMs: t4 - t3 + (t6 - t5),
      bytesMs: t5 - t4,
      totalMs: performance.now() - t0,
    },
  };
}

/** True when nothing differs: no node added, removed, changed or renamed. */
export function modelsEqual(d: ModelDiff): boolean {
  return !d.counts.added && !d.counts.removed && !d.counts.changed && !d.counts.renamed;
}
