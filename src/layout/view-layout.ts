import type { EdgePlacement, NodeEdges } from '../graph/hierarchy/edges.ts';
import type { Hierarchy } from '../graph/hierarchy/types.ts';
import type { ItemEdges } from './item-edges.ts';
import { FRAME_PAD, NODE_HEIGHT, type GroupLayout } from './group-graph.ts';
import { type GraphEnds, inputBandHeight, outputBandHeight, placeTensorBand } from './tensor-band.ts';
import { BoxKind, type ViewLayout } from './types.ts';

/** Length of the short vertical stubs at box ends, inside the gap between layers. */
const STUB = 6;

export interface ViewLayoutInput {
  h: Hierarchy;
  edges: NodeEdges;
  placement: EdgePlacement;
  itemEdges: ItemEdges;
  /** 1 for groups shown expanded (root included). */
  open: Uint8Array;
  /** Layout id of each open group. */
  layoutOf: Int32Array;
  layouts: GroupLayout[];
  nodeCount: number;
  /** The graph's inputs and outputs, drawn in bands above and below the model; none when absent. */
  ends?: GraphEnds | null;
}

/**
 * Turns the per-group layouts into one absolute ViewLayout (what every view of the model draws from): boxes in pre-order (a frame before its
 * contents), then one drawn edge per pair of visible boxes.
 *
 * An edge's polyline is the route its lowest common group computed between the two items holding its ends;
 * when an end sits deeper inside an expanded item, the route is extended from that item's frame to the box. An
 * end at the bottom (source) or top (target) of the frame's contents runs straight through the frame's bottom or
 * top into the route, with no detour; any other end goes through the frame's padding gutter and the gap
 * above/below the box (bottom centre of a source, top centre of a target), which keeps those extensions off other
 * boxes. No global ELK call is ever needed.
 */
export function buildViewLayout(input: ViewLayoutInput): ViewLayout {
  const { h, open, layoutOf, layouts, nodeCount } = input;
  const G = h.groupCount;
  const root = layouts[layoutOf[0]];

  // Count boxes first so every array is allocated once.
  let boxCount = 0;
  for (let g = 0; g < G; g++) {
    if (open[g]) boxCount += h.groupItemOffsets[g + 1] - h.groupItemOffsets[g];
  }
  const boxX = new Float32Array(boxCount);
  const boxY = new Float32Array(boxCount);
  const boxW = new Float32Array(boxCount);
  const boxH = new Float32Array(boxCount);
  const boxKind = new Uint8Array(boxCount);
  const boxDepth = new Uint8Array(boxCount);
  const boxRef = new Int32Array(boxCount);
  const nodeBox = new Int32Array(nodeCount).fill(-1);
  const groupBox = new Int32Array(G).fill(-1);
  /** Group whose item each box is: the frame a box sits in directly. */
  const boxGroup = new Int32Array(boxCount);
  const originX = new Float64Array(G);
  const originY = new Float64Array(G);
  const depthOf = new Uint8Array(G);
  // The model sits below the input band; every position follows from the root's origin.
  const top = inputBandHeight(input.ends);
  originY[0] = top;

  let b = 0;
  const stack: number[] = [0];
  while (stack.length) {
    const g = stack.pop()!;
    const L = layouts[layoutOf[g]];
    const ox = originX[g];
    const oy = originY[g];
    const depth = g === 0 ? 0 : Math.min(255, depthOf[g] + 1);
    const first = h.groupItemOffsets[g];
    const m = h.groupItemOffsets[g + 1] - first;
    const openKids: number[] = [];
    for (let k = 0; k < m; k++) {
      const item = h.groupItems[first + k];
      boxX[b] = ox + L.x[k];
      boxY[b] = oy + L.y[k];
      boxW[b] = L.w[k];
      boxH[b] = L.h[k];
      boxDepth[b] = depth;
      boxGroup[b] = g;
      if (item >= 0) {
        boxKind[b] = BoxKind.Node;
        boxRef[b] = item;
        nodeBox[item] = b;
      } else {
        const c = -1 - item;
        boxRef[b] = c;
        groupBox[c] = b;
        if (open[c]) {
          boxKind[b] = BoxKind.Frame;
          originX[c] = boxX[b];
          originY[c] = boxY[b];
          depthOf[c] = depth;
          openKids.push(c);
        } else {
          boxKind[b] = BoxKind.Group;
        }
      }
      b++;
    }
    for (let i = openKids.length - 1; i >= 0; i--) stack.push(openKids[i]);
  }

  // Visible box of every group: its own box if shown, else its collapsed ancestor's (-1 while open).
  const visGroup = new Int32Array(G).fill(-1);
  for (let g = 1; g < G; g++) {
    const p = h.groupParent[g];
    visGroup[g] = open[p] ? (open[g] ? -1 : groupBox[g]) : visGroup[p];
  }
  const visOf = (v: number) => {
    const g = h.nodeGroup[v];
    if (g === undefined || g < 0) return -1;
    return open[g] ? nodeBox[v] : visGroup[g];
  };
  const itemBox = (g: number, k: number) => {
    const item = h.groupItems[h.groupItemOffsets[g] + k];
    return item >= 0 ? nodeBox[item] : groupBox[-1 - item];
  };

  // Top of the highest and bottom of the lowest item of each open group: an end at that edge of its frame's
  // contents meets the frame border with nothing in between, so its edge can run straight through.
  const contentTop = new Float64Array(G).fill(Infinity);
  const contentBottom = new Float64Array(G).fill(-Infinity);
  for (let i = 0; i < boxCount; i++) {
    const g = boxGroup[i];
    contentTop[g] = Math.min(contentTop[g], boxY[i]);
    contentBottom[g] = Math.max(contentBottom[g], boxY[i] + boxH[i]);
  }
  /** Whether box `i` is the lowest (`below`) or highest item at every level up to the frame of `group`. */
  const atContentEdge = (i: number, group: number, below: boolean): boolean => {
    for (let cur = i; ; ) {
      const g = boxGroup[cur];
      if (below ? boxY[cur] + boxH[cur] < contentBottom[g] - 0.5 : boxY[cur] > contentTop[g] + 0.5) return false;
      if (g === group) return true;
      cur = groupBox[g];
    }
  };

  const { edges, placement, itemEdges } = input;
  const pairIndex = new Map<number, number>();
  // Growable typed buffers: expand-all on big models draws ~10^5–10^6 edges; JS arrays would double the
  // garbage and the copy at the end.
  let edgeCap = 1024;
  let from = new Int32Array(edgeCap);
  let to = new Int32Array(edgeCap);
  let weight = new Uint32Array(edgeCap);
  let pointOffsets = new Uint32Array(edgeCap + 1);
  let points = new Float32Array(edgeCap * 8);
  let edgeCount = 0;
  let pointCount = 0;
  const pushPoint = (x: number, y: number) => {
    if (2 * pointCount + 2 > points.length) {
      const next = new Float32Array(points.length * 2);
      next.set(points);
      points = next;
    }
    points[2 * pointCount] = x;
    points[2 * pointCount + 1] = y;
    pointCount++;
  };
  // Only edges whose lowest common group is open can join two different visible boxes.
  for (let g = 0; g < G; g++) {
    if (!open[g]) continue;
    for (let k = itemEdges.lcaOffsets[g]; k < itemEdges.lcaOffsets[g + 1]; k++) {
      const e = itemEdges.lcaEdges[k];
      drawEdge(e);
    }
  }

  function drawEdge(e: number): void {
    const a = visOf(edges.src[e]);
    const c = visOf(edges.dst[e]);
    if (a === c || a < 0 || c < 0) return;
    const key = a * boxCount + c;
    const idx = pairIndex.get(key);
    if (idx !== undefined) {
      weight[idx]++;
      return;
    }
    if (edgeCount === edgeCap) {
      edgeCap *= 2;
      from = grow(from, edgeCap);
      to = grow(to, edgeCap);
      weight = grow(weight, edgeCap);
      pointOffsets = grow(pointOffsets, edgeCap + 1);
    }
    pairIndex.set(key, edgeCount);
    from[edgeCount] = a;
    to[edgeCount] = c;
    weight[edgeCount] = 1;
    edgeCount++;

    const g = placement.lca[e];
    const L = layouts[layoutOf[g]];
    const ox = originX[g];
    const oy = originY[g];
    const r = itemEdges.edgeItemEdge[e] - itemEdges.offsets[g];
    const p0 = L.routeOffsets[r];
    const p1 = L.routeOffsets[r + 1];
    const rx = (p: number) => ox + L.routePoints[2 * p];
    const ry = (p: number) => oy + L.routePoints[2 * p + 1];
    const near = (u: number, v: number) => Math.abs(u - v) < 0.01;
    // Route points p0 + first .. p0 + last are drawn as computed; the ends may be replaced below.
    let first = 0;
    let last = p1 - p0 - 1;
    const srcFrame = itemBox(g, placement.srcItem[e]);
    if (a !== srcFrame) {
      const x = boxX[a] + boxW[a] / 2;
      const y = boxY[a] + boxH[a];
      pushPoint(x, y);
      if (atContentEdge(a, boxRef[srcFrame], true)) {
        // Nothing below the source inside the frame: straight down through the frame's bottom, joining the route
        // at its first bend (orthogonal routes) or just below the frame.
        if (last >= 2 && near(rx(p0 + 1), rx(p0)) && near(ry(p0 + 2), ry(p0 + 1))) {
          pushPoint(x, ry(p0 + 1));
          first = 2;
        } else {
          pushPoint(x, ry(p0) + STUB);
          first = 1;
        }
      } else {
        // Leave through the frame's padding gutter: down just below the source (the gap between layers),
        // sideways to the gutter, down the gutter, along the frame's bottom to the route.
        const gx = gutterX(srcFrame, x);
        pushPoint(x, y + STUB);
        pushPoint(gx, y + STUB);
        pushPoint(gx, ry(p0));
      }
    }
    const dstFrame = itemBox(g, placement.dstItem[e]);
    let tail = 0;
    if (c !== dstFrame && atContentEdge(c, boxRef[dstFrame], false)) {
      // Nothing above the target inside the frame: in straight through the frame's top, from the route's last
      // bend (orthogonal routes) or from just above the frame.
      const ortho =
        last - 2 >= first && near(rx(p0 + last - 1), rx(p0 + last)) && near(ry(p0 + last - 2), ry(p0 + last - 1));
      tail = ortho ? 2 : 1;
      last -= tail;
    }
    for (let p = p0 + first; p <= p0 + last; p++) pushPoint(rx(p), ry(p));
    if (tail) {
      const x = boxX[c] + boxW[c] / 2;
      pushPoint(x, tail === 2 ? ry(p1 - 2) : ry(p1 - 1) - STUB);
      pushPoint(x, boxY[c]);
    } else if (c !== dstFrame) {
      // Enter through the gutter: along the frame's top to its gutter, down to just above the target, across.
      const x = boxX[c] + boxW[c] / 2;
      const y = boxY[c];
      const gx = gutterX(dstFrame, x);
      pushPoint(gx, ry(p1 - 1));
      pushPoint(gx, y - STUB);
      pushPoint(x, y - STUB);
      pushPoint(x, y);
    }
    pointOffsets[edgeCount] = pointCount;
  }

  /** The padding strip of frame f on the side nearer to x (frames keep FRAME_PAD free inside their border). */
  function gutterX(f: number, x: number): number {
    return x < boxX[f] + boxW[f] / 2 ? boxX[f] + FRAME_PAD / 2 : boxX[f] + boxW[f] - FRAME_PAD / 2;
  }

  const ends = input.ends;
  const tensors =
    ends && ends.count > 0
      ? placeTensorBand(ends, { boxX, boxY, boxW, boxH, visibleBox: visOf }, top, top + root.height)
      : undefined;
  let width = root.width;
  if (tensors) for (let i = 0; i < tensors.count; i++) width = Math.max(width, tensors.x[i] + tensors.w[i]);

  return {
    width,
    height: top + root.height + outputBandHeight(ends),
    nodeBand: NODE_HEIGHT,
    boxCount,
    boxX,
    boxY,
    boxW,
    boxH,
    boxKind,
    boxDepth,
    boxRef,
    edgeCount,
    edgeFrom: from.slice(0, edgeCount),
    edgeTo: to.slice(0, edgeCount),
    edgeWeight: weight.slice(0, edgeCount),
    edgePointOffsets: pointOffsets.slice(0, edgeCount + 1),
    edgePoints: points.slice(0, 2 * pointCount),
    nodeBox,
    groupBox,
    ...(tensors ? { tensors } : {}),
  };
}

function grow<T extends Int32Array | Uint32Array>(a: T, size: number): T {
  const next = new (a.constructor as new (n: number) => T)(size);
  next.set(a);
  return next;
}
