import type { GroupGraph, RawLayout } from './group-graph.ts';

/** Dummy vertices a layered layout may create, per item (plus a floor for tiny groups). */
const DUMMY_BUDGET_PER_ITEM = 1;
const DUMMY_BUDGET_MIN = 32;
/** Edges crossing at least this many layers count as long. */
const LONG_SPAN = 3;
/** A source with this many long edges is a broadcast. */
const BROADCAST_MIN = 3;
const LANE_MARGIN = 16;
const LANE_GAP = 6;
const STUB = 6;

/**
 * Picks edges to leave out of the layered layout. A layered layout pays for every layer an edge crosses (one
 * dummy vertex each); one tensor broadcast to 78 blocks (an attention mask, a position table) costs ~3000
 * dummies, which measured here turns a 0.5 s ELK call into 10 s. So we estimate spans with a longest-path
 * layering and, longest first, drop edges until the estimate fits a budget linear in the item count. Each
 * source keeps its shortest edge so nothing floats free. Dropped edges are drawn on side lanes (see
 * `routeLongEdges`).
 */
export function splitLongEdges(g: GroupGraph): { kept: GroupGraph; dropped: Uint32Array } {
  const m = g.itemCount;
  const E = g.edgeCount;
  if (E === 0) return { kept: g, dropped: new Uint32Array(0) };
  const layer = longestPathLayers(g);
  const span = new Int32Array(E);
  let dummies = 0;
  for (let e = 0; e < E; e++) {
    span[e] = Math.abs(layer[g.edgeDst[e]] - layer[g.edgeSrc[e]]);
    dummies += Math.max(0, span[e] - 1);
  }
  // Broadcasts (one source, several long edges) always go to a lane: kept, they drag everything sideways.
  const longFanOut = new Uint32Array(m);
  for (let e = 0; e < E; e++) if (span[e] >= LONG_SPAN) longFanOut[g.edgeSrc[e]]++;
  let broadcasts = false;
  for (let i = 0; i < m && !broadcasts; i++) broadcasts = longFanOut[i] >= BROADCAST_MIN;
  const budget = Math.max(DUMMY_BUDGET_MIN, DUMMY_BUDGET_PER_ITEM * m);
  if (dummies <= budget && !broadcasts) return { kept: g, dropped: new Uint32Array(0) };

  // Shortest edge per source stays.
  const shortest = new Int32Array(m).fill(-1);
  for (let e = 0; e < E; e++) {
    const s = g.edgeSrc[e];
    if (shortest[s] < 0 || span[e] < span[shortest[s]]) shortest[s] = e;
  }
  const drop = new Uint8Array(E);
  let droppedCount = 0;
  for (let e = 0; e < E; e++) {
    if (span[e] >= LONG_SPAN && longFanOut[g.edgeSrc[e]] >= BROADCAST_MIN && shortest[g.edgeSrc[e]] !== e) {
      drop[e] = 1;
      droppedCount++;
      dummies -= span[e] - 1;
    }
  }
  const byLength = Array.from({ length: E }, (_, e) => e).sort((a, b) => span[b] - span[a] || a - b);
  for (const e of byLength) {
    if (drop[e]) continue;
    if (dummies <= budget || span[e] < LONG_SPAN) break;
    if (shortest[g.edgeSrc[e]] === e) continue;
    drop[e] = 1;
    droppedCount++;
    dummies -= span[e] - 1;
  }
  if (!droppedCount) return { kept: g, dropped: new Uint32Array(0) };
  const keptIdx: number[] = [];
  const dropped = new Uint32Array(droppedCount);
  for (let e = 0, d = 0; e < E; e++) {
    if (drop[e]) dropped[d++] = e;
    else keptIdx.push(e);
  }
  return {
    kept: {
      ...g,
      edgeCount: keptIdx.length,
      edgeSrc: Uint32Array.from(keptIdx, (e) => g.edgeSrc[e]),
      edgeDst: Uint32Array.from(keptIdx, (e) => g.edgeDst[e]),
    },
    dropped,
  };
}

/**
 * Merges a layout of the kept edges back into one over all edges: kept routes are copied, dropped edges get a
 * route down a vertical lane to the right of the contents (one lane per source, so a broadcast reads as one
 * bus), and the width grows by the lanes.
 */
export function routeLongEdges(g: GroupGraph, dropped: Uint32Array, keptLayout: RawLayout): RawLayout {
  if (!dropped.length) return keptLayout;
  const E = g.edgeCount;
  const isDropped = new Uint8Array(E);
  for (const e of dropped) isDropped[e] = 1;
  const laneOf = new Map<number, number>();
  for (const e of dropped) if (!laneOf.has(g.edgeSrc[e])) laneOf.set(g.edgeSrc[e], laneOf.size);
  const { x, y } = keptLayout;
  const laneBase = keptLayout.width + LANE_MARGIN;
  const offsets = new Uint32Array(E + 1);
  const pts: number[] = [];
  let k = 0;
  for (let e = 0; e < E; e++) {
    if (isDropped[e]) {
      const s = g.edgeSrc[e];
      const t = g.edgeDst[e];
      const lx = laneBase + laneOf.get(s)! * LANE_GAP;
      const sx = x[s] + g.width[s] / 2;
      const sy = y[s] + g.height[s];
      const tx = x[t] + g.width[t] / 2;
      const ty = y[t];
      pts.push(sx, sy, sx, sy + STUB, lx, sy + STUB, lx, ty - STUB, tx, ty - STUB, tx, ty);
    } else {
      for (let p = keptLayout.routeOffsets[k]; p < keptLayout.routeOffsets[k + 1]; p++) {
        pts.push(keptLayout.routePoints[2 * p], keptLayout.routePoints[2 * p + 1]);
      }
      k++;
    }
    offsets[e + 1] = pts.length / 2;
  }
  return {
    ...keptLayout,
    width: laneBase + (laneOf.size - 1) * LANE_GAP + LANE_MARGIN / 2,
    routeOffsets: offsets,
    routePoints: Float32Array.from(pts),
  };
}

/** Longest-path layers over edges oriented along item (dataflow) order; sources sit just above their consumers. */
export function longestPathLayers(g: GroupGraph): Int32Array {
  const m = g.itemCount;
  const off = new Uint32Array(m + 1);
  const hasIn = new Uint8Array(m);
  for (let e = 0; e < g.edgeCount; e++) {
    const a = g.edgeSrc[e];
    const b = g.edgeDst[e];
    if (a === b) continue;
    off[Math.min(a, b) + 1]++;
    hasIn[Math.max(a, b)] = 1;
  }
  for (let i = 0; i < m; i++) off[i + 1] += off[i];
  const succ = new Uint32Array(off[m]);
  const fill = off.slice(0, m);
  for (let e = 0; e < g.edgeCount; e++) {
    const a = g.edgeSrc[e];
    const b = g.edgeDst[e];
    if (a !== b) succ[fill[Math.min(a, b)]++] = Math.max(a, b);
  }
  const layer = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    for (let k = off[i]; k < off[i + 1]; k++) if (layer[succ[k]] < layer[i] + 1) layer[succ[k]] = layer[i] + 1;
  }
  for (let i = m - 1; i >= 0; i--) {
    if (hasIn[i] || off[i + 1] === off[i]) continue;
    let lo = Infinity;
    for (let k = off[i]; k < off[i + 1]; k++) lo = Math.min(lo, layer[succ[k]]);
    layer[i] = Math.max(0, lo - 1);
  }
  return layer;
}
