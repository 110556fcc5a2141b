import { Tier } from '../../culling/lod.ts';
import type { TensorBand, ViewLayout } from '../../layout/types.ts';
import { rgba, type Theme } from '../palette.ts';
import { BoxLayer, type DrawSink } from './sink.ts';
import { fitText, tailText } from './text-fit.ts';

/** What drawing the tensor band reads of the emitter's `DrawInput`. */
export interface TensorDrawInput {
  layout: ViewLayout;
  source: { tensorName?(value: number): string; tensorType?(value: number): string };
  theme: Theme;
  tier: Tier;
  nodeHeight: number;
  originX: number;
  originY: number;
}

/**
 * The graph's input and output boxes (`ViewLayout.tensors`) and their edges. They are few, so every frame draws all
 * of them (they are not in the culled box set). A tensor box looks like a collapsed group's, a pill with the tensor's
 * name and, at full detail, its type (`int64 [1×128]`); in the overview it is a dot like any box.
 */
export function emitTensorBoxes(input: TensorDrawInput, sink: DrawSink): void {
  const band = input.layout.tensors;
  if (!band) return;
  const { source: src, theme: th, tier, nodeHeight: nodeH, originX: ox, originY: oy } = input;
  const fill = rgba(th.background, 1);
  const stroke = rgba(th.groupStroke, 1);
  const text = rgba(th.text);
  const dim = rgba(th.textDim);
  const adv = sink.textAdvance;
  for (let i = 0; i < band.count; i++) {
    const x = band.x[i] - ox;
    const y = band.y[i] - oy;
    const w = band.w[i];
    const h = band.h[i];
    if (tier === Tier.Dots) {
      sink.box(BoxLayer.Nodes, x, y, w, h, stroke, 0, 0, 0);
      continue;
    }
    sink.box(BoxLayer.Nodes, x, y, w, h, fill, stroke, h / 2, 1.5);
    if (tier < Tier.OpLabels || sink.labelsFull()) continue;
    const room = w - h * 0.6;
    const value = band.value[i];
    const name = src.tensorName ? src.tensorName(value) : '';
    const type = tier >= Tier.Full && src.tensorType ? src.tensorType(value) : '';
    const fs = Math.min(h, nodeH) * (type ? 0.3 : 0.4);
    sink.label(
      tailText(name, Math.floor(room / (fs * adv))),
      x + w / 2,
      y + h * (type ? 0.36 : 0.5),
      fs,
      text,
      0.5,
      0.5,
    );
    if (!type) continue;
    const tfs = fs * 0.8;
    sink.label(fitText(type, Math.floor(room / (tfs * adv))), x + w / 2, y + h * 0.72, tfs, dim, 0.5, 0.5);
  }
}

/** The band's edges, styled as the model's (straight below op labels, routed from there, arrowheads). */
export function emitTensorEdges(input: TensorDrawInput, sink: DrawSink): void {
  const band: TensorBand | undefined = input.layout.tensors;
  if (!band) return;
  const { theme: th, tier, originX: ox, originY: oy } = input;
  const dots = tier === Tier.Dots;
  const routed = tier >= Tier.OpLabels;
  const arrowPx = routed ? 8 : tier >= Tier.Boxes ? 6 : 0;
  const color = rgba(th.edge, dots ? 0.35 : th.edgeAlpha);
  const pts = band.edgePoints;
  const off = band.edgePointOffsets;
  for (let e = 0; e < band.edgeCount; e++) {
    const p0 = off[e];
    const p1 = off[e + 1];
    if (p1 - p0 < 2) continue;
    sink.beginEdge(color, dots ? 0.4 : 0.55);
    if (routed) {
      for (let p = p0; p < p1; p++) sink.edgePoint(pts[2 * p] - ox, pts[2 * p + 1] - oy);
    } else {
      sink.edgePoint(pts[2 * p0] - ox, pts[2 * p0 + 1] - oy);
      sink.edgePoint(pts[2 * p1 - 2] - ox, pts[2 * p1 - 1] - oy);
    }
    sink.endEdge(arrowPx);
  }
}
