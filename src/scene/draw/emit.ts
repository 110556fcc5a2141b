import { Tier } from '../../culling/lod.ts';
import { INFERRED_MARK } from '../../graph/shapes/value-shapes.ts';
import { BoxKind, type ViewLayout } from '../../layout/types.ts';
import { rgba, type OpCategory, type Theme } from '../palette.ts';
import { MAX_GHOSTS_PER_ANCHOR, ghostRect, type DiffPaint } from './diff-paint.ts';
import type { PackedHeat } from './heat.ts';
import { BoxLayer, type DrawSink } from './sink.ts';
import { edgeLabelSpot, type EdgeLabelSpot } from './edge-label.ts';
import { emitTensorBoxes, emitTensorEdges } from './emit-tensors.ts';
import { fitText, tailText } from './text-fit.ts';

/** What drawing needs to know about the model; supplied by the app, backed by GraphIR + Hierarchy. */
export interface SceneSource {
  nodeOp(node: number): string;
  nodeName(node: number): string;
  nodeCategory(node: number): OpCategory;
  groupLabel(group: number): string;
  /** Operator nodes under the group at any depth. */
  groupSize(group: number): number;
  /** `1.2M params · 3.4 GFLOPs` under a collapsed group's node count, or '' (not analysed yet, nothing to sum). */
  groupTotals?(group: number): string;
  /** Box title: the op type, plus a fused activation (`CONV_2D | RELU6`); the op type when omitted. */
  nodeBoxTitle?(node: number): string;
  /** Rows listed under the title (folded constants, key attributes); none when omitted. */
  nodeRowCount?(node: number): number;
  nodeRowText?(node: number, row: number): string;
  /** Name and type text (`int64 [1×128]`) of a graph input or output drawn as a tensor box; none when omitted. */
  tensorName?(value: number): string;
  tensorType?(value: number): string;
  /** Short text for a drawn edge at full detail (tensor shape), or ''. */
  edgeLabel(layout: ViewLayout, edge: number): string;
}

/** One view to draw: which items are visible, at what level of detail, in which colours. */
export interface DrawInput {
  layout: ViewLayout;
  source: SceneSource;
  /** Visible boxes in drawing order (parents before children); the first `boxCount` entries are used. */
  boxes: ArrayLike<number>;
  boxCount: number;
  edges: ArrayLike<number>;
  edgeCount: number;
  tier: Tier;
  /** Screen pixels per layout unit. */
  scale: number;
  /** Height of a typical operator box in layout units (`typicalNodeHeight`). */
  nodeHeight: number;
  theme: Theme;
  /** Colour-by-metric colours, or null to colour by op category. */
  heat: PackedHeat | null;
  /** A comparison's colours and ghosts (they take precedence over `heat`), or null/absent. */
  diff?: DiffPaint | null;
  /** Subtracted from every coordinate (the pixi scene re-centres its draw coordinates for float32 precision). */
  originX: number;
  originY: number;
}

/** Edges drawn at most in the dots tier. */
export const MAX_DOT_EDGES = 30_000;

/** Edge primitives a sink should expect for `edgeCount` visible edges at this tier (a capacity hint). */
export function edgeCapacityHint(tier: Tier, edgeCount: number): number {
  return tier >= Tier.OpLabels ? edgeCount * 4 : Math.min(edgeCount, MAX_DOT_EDGES);
}

/** Frames and collapsed groups thinner than this on screen show nothing (frames) or a dot (groups). */
const MIN_FRAME_PX = 2;
/** Frame titles smaller than this on screen, or in frames narrower than `MIN_TITLED_FRAME_PX`, are not drawn. */
const MIN_FRAME_TITLE_PX = 7;
const MIN_TITLED_FRAME_PX = 50;
/** Collapsed groups get a name from this screen height, and a second line (size or totals) from the next. */
const GROUP_LABEL_PX = 12;
const GROUP_TWO_LINES_PX = 30;

/**
 * The drawing rules of the viewer, for every target: which boxes, labels (text, size, position, fitting), frame
 * titles and edge polylines a view shows at its level of detail. Pure: reads the layout and the visible set,
 * writes primitives into `sink`. The pixi scene and the SVG export both draw through it, so they cannot drift.
 */
export function emitView(input: DrawInput, sink: DrawSink): void {
  const titles: number[] = [];
  emitBoxes(input, sink, titles);
  emitTensorBoxes(input, sink);
  emitEdges(input, sink, titles);
  emitTensorEdges(input, sink);
}

/**
 * The opaque colour of the inside of a frame nested `depth` frames deep (index = depth): the background under
 * `depth` layers of the translucent frame fill.
 */
function framePatchColours(th: Theme): number[] {
  const out: number[] = [];
  const channel = (c: number, shift: number) => (c >> shift) & 0xff;
  for (let depth = 0; depth <= 16; depth++) {
    const cover = 1 - (1 - th.frameFillAlpha) ** depth;
    let rgb = 0;
    for (const shift of [16, 8, 0]) {
      const v = channel(th.background, shift) * (1 - cover) + channel(th.frameFill, shift) * cover;
      rgb |= Math.round(v) << shift;
    }
    out.push(rgba(rgb, 1));
  }
  return out;
}

/** `titles` receives the layout rectangle (x0, y0, x1, y1) of every frame title drawn, for edge labels to avoid. */
function emitBoxes(input: DrawInput, sink: DrawSink, titles: number[]): void {
  const { layout: L, source: src, theme: th, tier, scale, nodeHeight: nodeH, originX: ox, originY: oy } = input;
  const diff = input.diff ?? null;
  const heat = diff ? diff.colours : input.heat;
  const frameFill = rgba(th.frameFill, th.frameFillAlpha);
  const frameStroke = rgba(th.frameStroke, 1);
  const frameText = rgba(th.frameText);
  const framePatch = framePatchColours(th);
  const groupFill = rgba(th.groupFill, 1);
  const groupStroke = rgba(th.groupStroke, 1);
  const groupText = rgba(th.groupText);
  const text = rgba(th.text);
  const textDim = rgba(th.textDim);
  const bodyFill = rgba(th.background, 1);
  const catFill = th.categoryFill.map((c) => rgba(c, 1));
  const catStroke = th.categoryStroke.map((c) => rgba(c, 1));
  const adv = sink.textAdvance;
  const labelNodes = tier >= Tier.OpLabels;
  const radius = nodeH * 0.16;
  // Dots tier: the culler hands an overview-pyramid level (about one dot per 2-4 pixels), so an overview of
  // 100k nodes costs what the screen can show.
  const dots = tier === Tier.Dots;
  const minFrame = MIN_FRAME_PX / scale;
  // Boxes with ghosts beside them: the ghosts are drawn after every box, so no neighbour covers them.
  const anchors: number[] = [];

  for (let k = 0; k < input.boxCount; k++) {
    const b = input.boxes[k];
    const kind = L.boxKind[b];
    const w = L.boxW[b];
    const h = L.boxH[b];
    const x = L.boxX[b] - ox;
    const y = L.boxY[b] - oy;
    if (dots && (kind === BoxKind.Node || (kind === BoxKind.Group && (w < minFrame || h < minFrame)))) {
      const ref = L.boxRef[b];
      const color =
        kind === BoxKind.Node
          ? heat
            ? heat.nodeFill[ref]
            : catStroke[src.nodeCategory(ref)]
          : heat
            ? heat.groupFill[ref]
            : groupStroke;
      sink.box(BoxLayer.Nodes, x, y, w, h, color, 0, 0, 0);
      if (diff && kind === BoxKind.Node && diff.ghostOffsets[ref + 1] > diff.ghostOffsets[ref]) anchors.push(b);
      continue;
    }
    if (kind === BoxKind.Frame && (w < minFrame || h < minFrame)) continue;

    if (kind === BoxKind.Node) {
      const node = L.boxRef[b];
      const cat = src.nodeCategory(node);
      sink.box(
        BoxLayer.Nodes,
        x,
        y,
        w,
        h,
        heat ? heat.nodeFill[node] : catFill[cat],
        heat ? heat.nodeStroke[node] : catStroke[cat],
        radius,
        1,
      );
      if (h > nodeH * 1.2) emitRowsPanel(sink, x, y, w, h, nodeH, radius, bodyFill);
      if (diff && diff.ghostOffsets[node + 1] > diff.ghostOffsets[node]) anchors.push(b);
      if (!labelNodes || sink.labelsFull()) continue;
      emitNodeText(
        input,
        sink,
        node,
        x,
        y,
        w,
        h,
        heat ? heat.nodeText[node] : text,
        heat ? heat.nodeText[node] : textDim,
      );
    } else if (kind === BoxKind.Group) {
      const g = L.boxRef[b];
      sink.box(
        BoxLayer.Frames,
        x,
        y,
        w,
        h,
        heat ? heat.groupFill[g] : groupFill,
        heat ? heat.groupStroke[g] : groupStroke,
        radius * 1.4,
        1.5,
      );
      const sh = h * scale;
      if (sh < GROUP_LABEL_PX || sink.labelsFull()) continue;
      const room = w * 0.9;
      const suffix = heat?.groupSuffix?.(g) ?? '';
      const twoLines = sh >= GROUP_TWO_LINES_PX;
      // Parameters and FLOPs (once analysed) take a third line under the node count; with heat colours they are
      // the suffix instead.
      const totals = twoLines && !suffix && src.groupTotals ? src.groupTotals(g) : '';
      // Totals go on the second line when there is one, else after the name.
      const label = suffix && !twoLines ? `${src.groupLabel(g)} · ${suffix}` : src.groupLabel(g);
      const base = Math.min(h * 0.34, nodeH * 0.5);
      const fs = shrinkToRoom(base, base * 0.6, label.length, room, adv);
      const color = heat ? heat.groupText[g] : groupText;
      sink.label(
        fitText(label, Math.floor(room / (fs * adv))),
        x + w / 2,
        y + h * (totals ? 0.3 : twoLines ? 0.38 : 0.5),
        fs,
        color,
        0.5,
        0.5,
      );
      if (!twoLines) continue;
      const dim = heat ? heat.groupText[g] : textDim;
      const n = src.groupSize(g);
      const count = `${n.toLocaleString('en-US')} node${n === 1 ? '' : 's'}`;
      if (totals) {
        const lfs = fs * 0.55;
        sink.label(fitText(count, Math.floor(room / (lfs * adv))), x + w / 2, y + h * 0.6, lfs, dim, 0.5, 0.5);
        // Shrinks (to 0.45 of the name) before it is cut.
        const tfs = Math.max(fs * 0.45, Math.min(lfs, room / (totals.length * adv)));
        sink.label(fitText(totals, Math.floor(room / (tfs * adv))), x + w / 2, y + h * 0.82, tfs, dim, 0.5, 0.5);
        continue;
      }
      const second = suffix || count;
      const cfs = suffix ? Math.max(fs * 0.45, Math.min(fs * 0.68, room / (second.length * adv))) : fs * 0.68;
      sink.label(fitText(second, Math.floor(room / (cfs * adv))), x + w / 2, y + h * 0.7, cfs, dim, 0.5, 0.5);
    } else {
      sink.box(BoxLayer.Frames, x, y, w, h, frameFill, frameStroke, radius * 1.6, 1);
      // The root's frame (a model without a box of its own) has no title.
      if (sink.labelsFull() || (L.boxRef[b] === 0 && L.boxDepth[b] === 0)) continue;
      // Title left-aligned in the frame's title bar, sized to the layout's node scale.
      const fs = nodeH * FRAME_TITLE_SIZE;
      if (fs * scale < MIN_FRAME_TITLE_PX || w * scale < MIN_TITLED_FRAME_PX) continue;
      const room = w - fs;
      const title = fitText(src.groupLabel(L.boxRef[b]), Math.floor(room / (fs * adv)));
      // An edge entering straight through the frame's top crosses its title bar: the title sits on a patch of the
      // frame's own colour above the edges, so the line passes under the text, not through it. Snapped to 1/64
      // unit in layout space, so the patch moves exactly with the draw origin.
      const patch = framePatch[Math.min(framePatch.length - 1, L.boxDepth[b] + 1)];
      const px = snap(L.boxX[b] + fs * 0.35);
      const py = snap(L.boxY[b] + nodeH * 0.42 - fs * 0.6);
      const pw = snap((title.length * adv + 0.5) * fs);
      const ph = snap(fs * 1.2);
      sink.box(BoxLayer.Nodes, px - ox, py - oy, pw, ph, patch, 0, fs * 0.25, 0);
      titles.push(px, py, px + pw, py + ph);
      sink.label(title, x + fs * 0.6, y + nodeH * 0.42, fs, frameText, 0, 0.5);
    }
  }
  if (!diff) return;
  for (const b of anchors) {
    const boxDot = dots && L.boxKind[b] === BoxKind.Node;
    emitGhosts(
      diff,
      L.boxRef[b],
      L.boxX[b] - ox,
      L.boxY[b] - oy,
      L.boxW[b],
      L.boxH[b],
      boxDot ? 0 : radius,
      !boxDot && labelNodes && !sink.labelsFull() ? adv : 0,
      sink,
    );
  }
}

/**
 * The removed nodes anchored at a B node, as translucent red boxes in a column beside it (see `ghostRect`); with
 * `adv` > 0 each is labelled `− Op` (the last one `−N more` when there are more than fit).
 */
function emitGhosts(
  diff: DiffPaint,
  node: number,
  x: number,
  y: number,
  w: number,
  h: number,
  radius: number,
  adv: number,
  sink: DrawSink,
): void {
  const start = diff.ghostOffsets[node];
  const count = diff.ghostOffsets[node + 1] - start;
  if (count === 0) return;
  const shown = Math.min(count, MAX_GHOSTS_PER_ANCHOR);
  for (let i = 0; i < shown; i++) {
    const g = ghostRect(x, y, w, h, i);
    if (adv === 0) {
      sink.box(
        BoxLayer.Nodes,
        g.x,
        g.y,
        w,
        h,
        radius ? diff.ghostFill : diff.ghostStroke,
        diff.ghostStroke,
        radius,
        radius ? 1.5 : 0,
      );
      continue;
    }
    sink.box(BoxLayer.Nodes, g.x, g.y, w, h, diff.ghostFill, diff.ghostStroke, radius, 1.5);
    const more = i === shown - 1 && count > shown;
    const text = more ? `−${count - shown + 1} more` : `− ${diff.ghostLabels[start + i]}`;
    const room = w * 0.9;
    const fs = shrinkToRoom(h * 0.36, h * 0.24, text.length, room, adv);
    sink.label(fitText(text, Math.floor(room / (fs * adv))), g.x + w / 2, g.y + h / 2, fs, diff.ghostText, 0.5, 0.5);
  }
}

/**
 * Text inside an operator box. Its title band is the top `nodeH` (the box grows downwards by its rows, and boxes
 * keep their size at every tier so layout never changes with zoom). Below full detail the band shows the op type,
 * centred; at full detail the op type and the node's name, then one row per folded constant or key attribute,
 * each cut to the box width.
 */
function emitNodeText(
  input: DrawInput,
  sink: DrawSink,
  node: number,
  x: number,
  y: number,
  w: number,
  h: number,
  color: number,
  dim: number,
): void {
  const { source: src, tier, nodeHeight: nodeH } = input;
  const adv = sink.textAdvance;
  const band = Math.min(h, nodeH);
  const title = src.nodeBoxTitle ? src.nodeBoxTitle(node) : src.nodeOp(node);
  const room = w * 0.9;
  if (tier < Tier.Full) {
    // Op type alone, centred in the title band; shrinks (down to 0.3 of the band) before it is cut.
    const fs = shrinkToRoom(band * 0.46, band * 0.3, title.length, room, adv);
    sink.label(fitText(title, Math.floor(room / (fs * adv))), x + w / 2, y + band / 2, fs, color, 0.5, 0.5);
    return;
  }
  // Op type above, the node's name below (its tail: the informative end of a scoped name).
  const fs = shrinkToRoom(band * 0.32, band * 0.22, title.length, room, adv);
  sink.label(fitText(title, Math.floor(room / (fs * adv))), x + w / 2, y + band * 0.36, fs, color, 0.5, 0.5);
  const nfs = band * 0.2;
  sink.label(
    tailText(src.nodeName(node), Math.floor(room / (nfs * adv))),
    x + w / 2,
    y + band * 0.72,
    nfs,
    dim,
    0.5,
    0.5,
  );
  const rows = src.nodeRowCount ? src.nodeRowCount(node) : 0;
  if (!rows || !src.nodeRowText) return;
  // Rows: left-aligned under the band, one ROW_HEIGHT each (the layout sized the box for them).
  const rowH = (h - band - nodeH * ROWS_PAD_FRACTION) / rows;
  const rfs = Math.min(rowH * 0.78, nodeH * 0.3);
  const pad = nodeH * 0.18;
  const chars = Math.floor((w - 2 * pad) / (rfs * adv));
  for (let r = 0; r < rows; r++) {
    if (sink.labelsFull()) return;
    sink.label(fitText(src.nodeRowText(node, r), chars), x + pad, y + band + rowH * (r + 0.5), rfs, color, 0, 0.5);
  }
}

/** The light panel under a box's title band that holds its rows (drawn at every tier: the box's shape). */
function emitRowsPanel(
  sink: DrawSink,
  x: number,
  y: number,
  w: number,
  h: number,
  nodeH: number,
  radius: number,
  fill: number,
): void {
  const inset = Math.min(w, h) * 0.03 + nodeH * 0.04;
  sink.box(BoxLayer.Nodes, x + inset, y + nodeH, w - 2 * inset, h - nodeH - inset, fill, 0, radius * 0.6, 0);
}

/** Padding under the last row, as a fraction of the title band (layout's ROWS_PAD / NODE_HEIGHT). */
const ROWS_PAD_FRACTION = 5 / 32;

/** Frame title font size, as a fraction of the typical node height. */
const FRAME_TITLE_SIZE = 0.4;

/** `size`, or smaller (not below `min`) when `chars` characters would overflow `room`. */
function shrinkToRoom(size: number, min: number, chars: number, room: number, adv: number): number {
  return chars * size * adv > room ? Math.max(min, room / (chars * adv)) : size;
}

/**
 * An edge's shape label on a backing of the background colour: the backing is drawn in the node layer (above
 * every edge), so lines passing the label never run through its text.
 */
function emitEdgeLabel(
  sink: DrawSink,
  text: string,
  spot: EdgeLabelSpot,
  size: number,
  color: number,
  backing: number,
  ox: number,
  oy: number,
): void {
  const w = text.length * size * sink.textAdvance;
  const pad = size * 0.2;
  // Snapped to 1/64 unit in layout space, so the backing moves exactly with the draw origin.
  const x = snap(spot.x - spot.anchorX * w - pad) - ox;
  const y = snap(spot.y - spot.anchorY * size - pad * 0.5) - oy;
  sink.box(BoxLayer.Nodes, x, y, snap(w + 2 * pad), snap(size + pad), backing, 0, size * 0.2, 0);
  sink.label(text, spot.x - ox, spot.y - oy, size, color, spot.anchorX, spot.anchorY);
}

/** Rounds to 1/64 layout unit: exact in float32 after any draw-origin shift of whole units. */
function snap(v: number): number {
  return Math.round(v * 64) / 64;
}

/** Where along its longest run an edge label may go, in order of preference: the middle first. */
const LABEL_PLACES = [0.5, 0.3, 0.7, 0.15, 0.85];

/**
 * The first spot along the edge's longest run where a label `w` × `size` stays off every frame title (an edge
 * entering a frame straight through its top runs past the title); null where every spot would cover one.
 */
function labelSpotOffTitles(
  pts: ArrayLike<number>,
  p0: number,
  p1: number,
  gap: number,
  w: number,
  size: number,
  titles: readonly number[],
): EdgeLabelSpot | null {
  for (const along of LABEL_PLACES) {
    const spot = edgeLabelSpot(pts, p0, p1, gap, along);
    if (titles.length === 0) return spot;
    const x0 = spot.x - spot.anchorX * w;
    const y0 = spot.y - spot.anchorY * size;
    let clear = true;
    for (let t = 0; t < titles.length && clear; t += 4) {
      clear = x0 + w <= titles[t] || x0 >= titles[t + 2] || y0 + size <= titles[t + 1] || y0 >= titles[t + 3];
    }
    if (clear) return spot;
  }
  return null;
}

function emitEdges(input: DrawInput, sink: DrawSink, titles: readonly number[]): void {
  const { layout: L, source: src, theme: th, tier, nodeHeight: nodeH, originX: ox, originY: oy } = input;
  const pts = L.edgePoints;
  const off = L.edgePointOffsets;
  const dots = tier === Tier.Dots;
  const color = rgba(th.edge, dots ? 0.35 : th.edgeAlpha);
  const labelColor = rgba(th.textDim);
  // Shapes only inference knows (`~1×128`) are fainter than the ones the file records.
  const inferredColor = rgba(th.textDim, 0.62);
  const labelBacking = rgba(th.background, 0.85);
  // Below op labels an edge is one straight segment between its ends; from op labels on, its routed polyline.
  const routed = tier >= Tier.OpLabels;
  const arrowPx = routed ? 8 : tier >= Tier.Boxes ? 6 : 0;
  const labelled = tier >= Tier.Full;
  let drawn = 0;
  for (let k = 0; k < input.edgeCount; k++) {
    // Overview: the pyramid level already dropped edges too short to see; bound the rest, drawn faint.
    if (dots && drawn >= MAX_DOT_EDGES) break;
    const e = input.edges[k];
    const p0 = off[e];
    const p1 = off[e + 1];
    if (p1 - p0 < 2) continue;
    // Thicker for edges that stand for many IR edges (aggregated between collapsed groups).
    const hw = dots ? 0.4 : 0.55 + Math.min(1.8, Math.log2(Math.max(1, L.edgeWeight[e])) * 0.3);
    sink.beginEdge(color, hw);
    if (!routed) {
      sink.edgePoint(pts[2 * p0] - ox, pts[2 * p0 + 1] - oy);
      sink.edgePoint(pts[2 * p1 - 2] - ox, pts[2 * p1 - 1] - oy);
    } else {
      for (let p = p0; p < p1; p++) sink.edgePoint(pts[2 * p] - ox, pts[2 * p + 1] - oy);
    }
    sink.endEdge(arrowPx);
    drawn++;
    if (labelled && !sink.labelsFull()) {
      const text = src.edgeLabel(L, e);
      const size = nodeH * 0.2;
      const spot = text
        ? labelSpotOffTitles(pts, p0, p1, nodeH * 0.12, text.length * size * sink.textAdvance, size, titles)
        : null;
      if (spot) {
        const color = text.startsWith(INFERRED_MARK) ? inferredColor : labelColor;
        emitEdgeLabel(sink, text, spot, size, color, labelBacking, ox, oy);
      }
    }
  }
}
