import type { GroupGraph, RawLayout } from './group-graph.ts';
import { longestPathLayers } from './long-edges.ts';

const LAYER_GAP = 36;
const NODE_GAP = 20;
const DUMMY_WIDTH = 8;
/** Long edges get one dummy vertex per crossed layer (for ordering and bends) up to this many in total. */
const MAX_DUMMIES_PER_ITEM = 12;
const SWEEPS = 4;

export interface FixedOrder {
  /** Layer of each item (0 = top). */
  layer: Int32Array;
  /** Sort key of each item within its layer (left to right). */
  key: Float64Array;
}

/**
 * Our own layered layout, for groups ELK cannot take (too big, failed, out of time budget). Every step is
 * iterative and near-linear, so it never hangs or overflows the stack:
 * longest-path layering (items are in dataflow order, so one pass), sources pulled down next to their first
 * consumer, dummy vertices on long edges, barycentre ordering sweeps, and x placement by isotonic regression
 * (pool-adjacent-violators) towards the neighbours' mean, which keeps order and spacing exactly.
 *
 * With `fixed`, layering and in-layer order are taken as given (from an earlier layout of the same structure)
 * and only coordinates are recomputed: how a group is re-laid out when an expanded child changes size. It is
 * fast and keeps the picture stable while the user expands and collapses.
 */
export function fastLayout(g: GroupGraph, fixed?: FixedOrder): RawLayout {
  const m = g.itemCount;
  const layer = fixed ? fixed.layer : longestPathLayers(g);
  let layerCount = 0;
  for (let i = 0; i < m; i++) layerCount = Math.max(layerCount, layer[i] + 1);

  // Vertices: items then dummies. Each edge becomes a path of segments between consecutive layers.
  const vLayer: number[] = Array.from(layer);
  const vWidth: number[] = Array.from(g.width);
  const segA: number[] = [];
  const segB: number[] = [];
  /** Per edge: first dummy vertex (or -1) and count, to emit bends later. */
  const edgeDummy = new Int32Array(g.edgeCount).fill(-1);
  const edgeDummyCount = new Uint32Array(g.edgeCount);
  let dummyBudget = MAX_DUMMIES_PER_ITEM * Math.max(m, 16);
  for (let e = 0; e < g.edgeCount; e++) {
    const [a, b] = upperLower(g, layer, e);
    const span = layer[b] - layer[a];
    if (span <= 0) continue;
    if (span > 1 && span - 1 <= dummyBudget) {
      dummyBudget -= span - 1;
      let prev = a;
      edgeDummy[e] = vLayer.length;
      edgeDummyCount[e] = span - 1;
      for (let l = layer[a] + 1; l < layer[b]; l++) {
        const d = vLayer.length;
        vLayer.push(l);
        vWidth.push(DUMMY_WIDTH);
        segA.push(prev);
        segB.push(d);
        prev = d;
      }
      segA.push(prev);
      segB.push(b);
    } else {
      segA.push(a);
      segB.push(b);
    }
  }
  const V = vLayer.length;
  // Up/down neighbour CSR.
  const upOff = new Uint32Array(V + 1);
  const downOff = new Uint32Array(V + 1);
  for (let s = 0; s < segA.length; s++) {
    downOff[segA[s] + 1]++;
    upOff[segB[s] + 1]++;
  }
  for (let v = 0; v < V; v++) {
    upOff[v + 1] += upOff[v];
    downOff[v + 1] += downOff[v];
  }
  const up = new Uint32Array(segA.length);
  const down = new Uint32Array(segA.length);
  {
    const fu = upOff.slice(0, V);
    const fd = downOff.slice(0, V);
    for (let s = 0; s < segA.length; s++) {
      down[fd[segA[s]]++] = segB[s];
      up[fu[segB[s]]++] = segA[s];
    }
  }

  // Initial order: the fixed keys, else dataflow order; a dummy interpolates between its edge's two ends.
  const key = new Float64Array(V);
  for (let i = 0; i < m; i++) key[i] = fixed ? fixed.key[i] : i;
  for (let e = 0; e < g.edgeCount; e++) {
    if (edgeDummy[e] < 0) continue;
    const [a, b] = upperLower(g, layer, e);
    const n = edgeDummyCount[e] + 1;
    for (let k = 0; k < edgeDummyCount[e]; k++) key[edgeDummy[e] + k] = key[a] + ((key[b] - key[a]) * (k + 1)) / n;
  }
  const layers: number[][] = Array.from({ length: layerCount }, () => []);
  for (let v = 0; v < V; v++) layers[vLayer[v]].push(v);
  const pos = new Float64Array(V);
  const renumber = (l: number) => {
    const list = layers[l];
    for (let i = 0; i < list.length; i++) pos[list[i]] = i;
  };
  for (let l = 0; l < layerCount; l++) {
    layers[l].sort((a, b) => key[a] - key[b] || a - b);
    renumber(l);
  }
  const reorder = (l: number, off: Uint32Array, adj: Uint32Array) => {
    const list = layers[l];
    for (const v of list) {
      const deg = off[v + 1] - off[v];
      if (deg === 0) {
        key[v] = pos[v];
        continue;
      }
      let sum = 0;
      for (let k = off[v]; k < off[v + 1]; k++) sum += pos[adj[k]];
      key[v] = sum / deg;
    }
    list.sort((a, b) => key[a] - key[b] || pos[a] - pos[b]);
    renumber(l);
  };
  for (let s = 0; s < (fixed ? 0 : SWEEPS); s++) {
    if (s % 2 === 0) for (let l = 1; l < layerCount; l++) reorder(l, upOff, up);
    else for (let l = layerCount - 2; l >= 0; l--) reorder(l, downOff, down);
  }

  // x: pack, then pull towards neighbours with order-preserving isotonic regression.
  const cx = new Float64Array(V);
  for (const list of layers) {
    let x = 0;
    for (const v of list) {
      cx[v] = x + vWidth[v] / 2;
      x += vWidth[v] + NODE_GAP;
    }
  }
  // Pull weights: item–item edges align blocks; dummy–dummy keeps long edges straight; item–dummy is weak so
  // a bundle of long edges does not drag a chain of blocks sideways into a staircase.
  const pull = (a: number, b: number) => (a < m ? (b < m ? 1 : 0.25) : b < m ? 0.25 : 2);
  const place = (l: number, off: Uint32Array, adj: Uint32Array) => {
    const list = layers[l];
    const want = new Float64Array(list.length);
    const weight = new Float64Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      let sum = 0;
      let total = 0;
      for (let k = off[v]; k < off[v + 1]; k++) {
        const w = pull(v, adj[k]);
        sum += w * cx[adj[k]];
        total += w;
      }
      if (total === 0) {
        want[i] = cx[v];
        weight[i] = 0.1;
      } else {
        want[i] = sum / total;
        weight[i] = total;
      }
    }
    const gaps = new Float64Array(list.length);
    for (let i = 1; i < list.length; i++) gaps[i] = (vWidth[list[i - 1]] + vWidth[list[i]]) / 2 + NODE_GAP;
    const out = isotonicPlace(want, gaps, weight);
    for (let i = 0; i < list.length; i++) cx[list[i]] = out[i];
  };
  for (let s = 0; s < SWEEPS; s++) {
    if (s % 2 === 0) for (let l = 1; l < layerCount; l++) place(l, upOff, up);
    else for (let l = layerCount - 2; l >= 0; l--) place(l, downOff, down);
  }
  for (let l = 1; l < layerCount; l++) place(l, upOff, up);

  let minX = Infinity;
  let maxX = -Infinity;
  for (let v = 0; v < V; v++) {
    minX = Math.min(minX, cx[v] - vWidth[v] / 2);
    maxX = Math.max(maxX, cx[v] + vWidth[v] / 2);
  }
  if (!Number.isFinite(minX)) minX = maxX = 0;

  // y: layers stacked; items centred vertically in their layer band.
  const layerH = new Float64Array(layerCount);
  for (let i = 0; i < m; i++) layerH[layer[i]] = Math.max(layerH[layer[i]], g.height[i]);
  const layerTop = new Float64Array(layerCount + 1);
  for (let l = 0; l < layerCount; l++) layerTop[l + 1] = layerTop[l] + layerH[l] + (l + 1 < layerCount ? LAYER_GAP : 0);

  const x = new Float64Array(m);
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    x[i] = cx[i] - g.width[i] / 2 - minX;
    y[i] = layerTop[layer[i]] + (layerH[layer[i]] - g.height[i]) / 2;
  }

  // Routes: bottom-centre of the upper end, through the dummies, to top-centre of the lower end; reversed
  // edges are emitted from their real source.
  const routeOffsets = new Uint32Array(g.edgeCount + 1);
  const pts: number[] = [];
  for (let e = 0; e < g.edgeCount; e++) {
    const [a, b] = upperLower(g, layer, e);
    if (layer[a] === layer[b]) {
      // Same layer (only possible with a fixed order): side to side.
      const s = g.edgeSrc[e];
      const t = g.edgeDst[e];
      const dir = cx[t] > cx[s] ? 1 : -1;
      pts.push(
        cx[s] - minX + (dir * g.width[s]) / 2,
        y[s] + g.height[s] / 2,
        cx[t] - minX - (dir * g.width[t]) / 2,
        y[t] + g.height[t] / 2,
      );
      routeOffsets[e + 1] = pts.length / 2;
      continue;
    }
    const path: number[] = [cx[a] - minX, y[a] + g.height[a]];
    const d0 = edgeDummy[e];
    for (let k = 0; k < edgeDummyCount[e]; k++) {
      const d = d0 + k;
      const dx = cx[d] - minX;
      path.push(dx, layerTop[vLayer[d]], dx, layerTop[vLayer[d]] + layerH[vLayer[d]]);
    }
    path.push(cx[b] - minX, y[b]);
    if (a !== g.edgeSrc[e]) reversePairs(path);
    for (const p of path) pts.push(p);
    routeOffsets[e + 1] = pts.length / 2;
  }
  return {
    width: Math.max(0, maxX - minX),
    height: layerTop[layerCount],
    x,
    y,
    routeOffsets,
    routePoints: Float32Array.from(pts),
  };
}

/**
 * Positions p minimising Σ w_i·(p_i − want_i)² subject to p_i ≥ p_{i−1} + gap_i: substitute q_i = p_i − Σgap,
 * then it is weighted isotonic regression, solved by pool-adjacent-violators in O(k).
 */
export function isotonicPlace(want: Float64Array, gaps: Float64Array, weight?: Float64Array): Float64Array {
  const k = want.length;
  const shift = new Float64Array(k);
  for (let i = 1; i < k; i++) shift[i] = shift[i - 1] + gaps[i];
  const blockSum: number[] = [];
  const blockW: number[] = [];
  const blockLen: number[] = [];
  for (let i = 0; i < k; i++) {
    const w = weight ? weight[i] : 1;
    let sum = (want[i] - shift[i]) * w;
    let tw = w;
    let len = 1;
    while (blockSum.length && blockSum[blockSum.length - 1] / blockW[blockW.length - 1] > sum / tw) {
      sum += blockSum.pop()!;
      tw += blockW.pop()!;
      len += blockLen.pop()!;
    }
    blockSum.push(sum);
    blockW.push(tw);
    blockLen.push(len);
  }
  const out = new Float64Array(k);
  let i = 0;
  for (let b = 0; b < blockSum.length; b++) {
    const mean = blockSum[b] / blockW[b];
    for (let j = 0; j < blockLen[b]; j++, i++) out[i] = mean + shift[i];
  }
  return out;
}

/** The edge's ends as [upper, lower] by layer; ties (same layer) keep source first. */
function upperLower(g: GroupGraph, layer: Int32Array, e: number): [number, number] {
  const s = g.edgeSrc[e];
  const t = g.edgeDst[e];
  return layer[t] < layer[s] ? [t, s] : [s, t];
}

/** Layers and in-layer order read back from a finished layout (top-down): how `fixed` is obtained. */
export function orderOf(g: GroupGraph, raw: RawLayout): FixedOrder {
  const m = g.itemCount;
  const byTop = Array.from({ length: m }, (_, i) => i).sort((a, b) => raw.y[a] - raw.y[b] || raw.x[a] - raw.x[b]);
  const layer = new Int32Array(m);
  const key = new Float64Array(m);
  let current = -1;
  let bottom = -Infinity;
  for (const i of byTop) {
    // A new layer starts below everything seen so far (layers never overlap vertically).
    if (raw.y[i] >= bottom - 0.5) current++;
    bottom = Math.max(bottom, raw.y[i] + g.height[i]);
    layer[i] = current;
    key[i] = raw.x[i] + g.width[i] / 2;
  }
  return { layer, key };
}

function reversePairs(path: number[]): void {
  for (let i = 0, j = path.length - 2; i < j; i += 2, j -= 2) {
    const x = path[i];
    const y = path[i + 1];
    path[i] = path[j];
    path[i + 1] = path[j + 1];
    path[j] = x;
    path[j + 1] = y;
  }
}
