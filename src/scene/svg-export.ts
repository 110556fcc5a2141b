import { Tier } from '../culling/lod.ts';
import type { Rect } from '../culling/spatial.ts';
import { BoxKind, type ViewLayout } from '../layout/types.ts';
import { cssColor, type Theme } from './palette.ts';
import type { SceneSource } from './scene.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Upper bound on exported shapes, so an overview of a huge model stays a usable file. */
const MAX_SHAPES = 60000;

export interface SvgExportInput {
  layout: ViewLayout;
  source: SceneSource;
  theme: Theme;
  view: Rect;
  boxes: number[];
  edges: number[];
  tier: Tier;
  nodeHeight: number;
  /** Screen size the view maps to. */
  width: number;
  height: number;
}

/**
 * The current view as SVG: the visible boxes, edges and the labels the screen shows at this level of detail.
 * Built with DOM nodes and textContent, so model strings are escaped by the serializer.
 */
export function buildSvg(input: SvgExportInput): string {
  const { layout: L, source, theme: th, view, tier, nodeHeight: nodeH } = input;
  const doc = document.implementation.createDocument(SVG_NS, 'svg', null);
  const svg = doc.documentElement;
  const w = view.maxX - view.minX;
  const h = view.maxY - view.minY;
  svg.setAttribute('xmlns', SVG_NS);
  svg.setAttribute('viewBox', `${fmt(view.minX)} ${fmt(view.minY)} ${fmt(w)} ${fmt(h)}`);
  svg.setAttribute('width', String(input.width));
  svg.setAttribute('height', String(input.height));
  const el = (name: string, attrs: Record<string, string | number>, parent: Element = svg): Element => {
    const e = doc.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, typeof v === 'number' ? fmt(v) : v);
    parent.appendChild(e);
    return e;
  };
  el('rect', { x: view.minX, y: view.minY, width: w, height: h, fill: cssColor(th.background) });
  const scale = input.width / Math.max(1e-9, w);
  const px = 1 / scale;
  const r = nodeH * 0.16;
  let shapes = 0;

  const frameLayer = el('g', { id: 'frames' });
  const edgeLayer = el('g', { id: 'edges', fill: 'none', stroke: cssColor(th.edge), 'stroke-width': 1.2 * px, 'stroke-linejoin': 'round' });
  const nodeLayer = el('g', { id: 'nodes', 'stroke-width': px });
  const textLayer = el('g', { id: 'labels', 'font-family': 'ui-monospace, Menlo, Consolas, monospace' });
  const text = (s: string, x: number, y: number, size: number, color: number, anchor: 'start' | 'middle') => {
    const t = el('text', { x, y, 'font-size': size, fill: cssColor(color), 'text-anchor': anchor, 'dominant-baseline': 'middle' }, textLayer);
    t.textContent = s;
  };

  for (const b of input.boxes) {
    if (shapes++ > MAX_SHAPES) break;
    const kind = L.boxKind[b];
    const x = L.boxX[b];
    const y = L.boxY[b];
    const bw = L.boxW[b];
    const bh = L.boxH[b];
    if (kind === BoxKind.Frame) {
      el('rect', { x, y, width: bw, height: bh, rx: r * 1.6, fill: cssColor(th.frameFill), 'fill-opacity': th.frameFillAlpha, stroke: cssColor(th.frameStroke), 'stroke-width': px }, frameLayer);
      const fs = nodeH * 0.36;
      if (fs * scale >= 7 && L.boxDepth[b] > 0) text(source.groupLabel(L.boxRef[b]), x + fs * 0.5, y + fs * 0.8, fs, th.frameText, 'start');
    } else if (kind === BoxKind.Group) {
      el('rect', { x, y, width: bw, height: bh, rx: r * 1.4, fill: cssColor(th.groupFill), stroke: cssColor(th.groupStroke), 'stroke-width': 1.5 * px }, frameLayer);
      if (bh * scale >= 12) {
        const g = L.boxRef[b];
        const fs = Math.min(bh * 0.34, nodeH * 0.5);
        text(source.groupLabel(g), x + bw / 2, y + bh * 0.38, fs, th.groupText, 'middle');
        if (bh * scale >= 30) text(`${source.groupSize(g).toLocaleString('en-US')} nodes`, x + bw / 2, y + bh * 0.7, fs * 0.68, th.textDim, 'middle');
      }
    } else {
      const node = L.boxRef[b];
      const cat = source.nodeCategory(node);
      el('rect', { x, y, width: bw, height: bh, rx: r, fill: cssColor(th.categoryFill[cat]), stroke: cssColor(th.categoryStroke[cat]) }, nodeLayer);
      if (tier >= Tier.OpLabels) {
        text(source.nodeOp(node), x + bw / 2, y + bh * (tier >= Tier.Full ? 0.36 : 0.5), bh * (tier >= Tier.Full ? 0.3 : 0.42), th.text, 'middle');
        if (tier >= Tier.Full) text(source.nodeName(node), x + bw / 2, y + bh * 0.72, bh * 0.2, th.textDim, 'middle');
      }
    }
  }
  if (tier > Tier.Dots || input.edges.length <= 20000) {
    const pts = L.edgePoints;
    const off = L.edgePointOffsets;
    for (const e of input.edges) {
      if (shapes++ > MAX_SHAPES) break;
      const p0 = off[e];
      const p1 = off[e + 1];
      if (p1 - p0 < 2) continue;
      const coords: string[] = [];
      for (let p = p0; p < p1; p++) coords.push(`${fmt(pts[2 * p])},${fmt(pts[2 * p + 1])}`);
      el('polyline', { points: coords.join(' ') }, edgeLayer);
      if (tier >= Tier.Full) {
        const label = source.edgeLabel(L, e);
        if (label) {
          const m = p0 + ((p1 - p0 - 1) >> 1);
          text(label, (pts[2 * m] + pts[2 * m + 2]) / 2 + nodeH * 0.12, (pts[2 * m + 1] + pts[2 * m + 3]) / 2, nodeH * 0.2, th.textDim, 'start');
        }
      }
    }
  }
  return new XMLSerializer().serializeToString(doc);
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}
