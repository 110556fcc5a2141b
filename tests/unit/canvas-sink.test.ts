import { describe, expect, it } from 'vitest';
import { Tier } from '../../src/culling/lod.ts';
import { BoxKind, type ViewLayout } from '../../src/layout/types.ts';
import {
  BoxList,
  ColorCache,
  EdgeList,
  LabelList,
  type Paint2D,
  type PaintView,
} from '../../src/scene/draw/canvas-layers.ts';
import { LayeredSink } from '../../src/scene/draw/layered-sink.ts';
import { emitView, type SceneSource } from '../../src/scene/draw/emit.ts';
import { SvgSink } from '../../src/scene/draw/svg-sink.ts';
import { OpCategory, THEMES, rgba } from '../../src/scene/palette.ts';

type Call = [string, ...unknown[]];

/** A 2D context that records every call and property write, in order. */
function recorder(): { ctx: Paint2D; calls: Call[] } {
  const calls: Call[] = [];
  const methods = [
    'setTransform',
    'beginPath',
    'moveTo',
    'lineTo',
    'closePath',
    'rect',
    'roundRect',
    'fill',
    'stroke',
    'fillText',
  ];
  const target: Record<string, unknown> = {};
  for (const m of methods) target[m] = (...args: unknown[]) => calls.push([m, ...args]);
  const ctx = new Proxy(target, {
    set(t, key, value) {
      calls.push([`${String(key)}=`, value]);
      t[key as string] = value;
      return true;
    },
  });
  return { ctx: ctx as unknown as Paint2D, calls };
}

const named = (calls: Call[], name: string) => calls.filter((c) => c[0] === name);
const VIEW: PaintView = { scale: 2, tx: 10, ty: 20, resolution: 1 };

/** A frame holding two operators of different categories and a collapsed group, plus a root-level operator. */
function fixture(): ViewLayout {
  const boxes: [BoxKind, number, number, number, number, number, number][] = [
    [BoxKind.Frame, 0, 0, 400, 200, 1, 0],
    [BoxKind.Node, 20, 40, 120, 32, 0, 1],
    [BoxKind.Node, 20, 120, 120, 32, 1, 1],
    [BoxKind.Group, 200, 40, 180, 44, 2, 1],
    [BoxKind.Node, 100, 300, 56, 32, 2, 0],
  ];
  const pts = [
    [80, 72, 80, 96, 80, 120],
    [80, 152, 80, 170, 290, 170, 290, 84],
    [290, 84, 128, 300],
  ];
  const offsets = [0];
  for (const p of pts) offsets.push(offsets[offsets.length - 1] + p.length / 2);
  return {
    width: 400,
    height: 332,
    boxCount: boxes.length,
    boxX: Float32Array.from(boxes.map((b) => b[1])),
    boxY: Float32Array.from(boxes.map((b) => b[2])),
    boxW: Float32Array.from(boxes.map((b) => b[3])),
    boxH: Float32Array.from(boxes.map((b) => b[4])),
    boxKind: Uint8Array.from(boxes.map((b) => b[0])),
    boxRef: Int32Array.from(boxes.map((b) => b[5])),
    boxDepth: Uint8Array.from(boxes.map((b) => b[6])),
    edgeCount: 3,
    edgeFrom: Int32Array.of(1, 2, 3),
    edgeTo: Int32Array.of(2, 3, 4),
    edgeWeight: Uint32Array.of(1, 1, 4),
    edgePointOffsets: Uint32Array.from(offsets),
    edgePoints: Float32Array.from(pts.flat()),
    nodeBox: Int32Array.of(1, 2, 4),
    groupBox: Int32Array.of(-1, 0, 3),
  };
}

const source: SceneSource = {
  nodeOp: (n) => ['Conv', 'MatMul', 'Relu'][n],
  nodeName: (n) => ['model/block.0/conv/Conv', 'model/block.0/mm', 'relu'][n],
  nodeCategory: (n) => [OpCategory.Compute, OpCategory.Shape, OpCategory.Activation][n],
  groupLabel: (g) => ['model', 'block.0', 'attention'][g],
  groupSize: (g) => [3, 2, 17][g],
  edgeLabel: (_L, e) => ['1×64', '', 'scalar'][e],
};

function layers() {
  return { frames: new BoxList(true), edges: new EdgeList(), nodes: new BoxList(false), labels: new LabelList() };
}

function emitInto(sink: LayeredSink | SvgSink, tier: Tier, scale: number, theme = THEMES.light): void {
  const layout = fixture();
  const boxes = Array.from({ length: layout.boxCount }, (_, i) => i);
  const edges = Array.from({ length: layout.edgeCount }, (_, i) => i);
  emitView(
    {
      layout,
      source,
      boxes,
      boxCount: boxes.length,
      edges,
      edgeCount: edges.length,
      tier,
      scale,
      nodeHeight: 32,
      theme,
      heat: null,
      originX: 0,
      originY: 0,
    },
    sink,
  );
}

describe('Canvas2D sink', () => {
  it('draws what the SVG export draws: the same label texts in the same order, the same box and edge counts', () => {
    const l = layers();
    const sink = new LayeredSink(l, 0.6);
    sink.begin(8, 16);
    emitInto(sink, Tier.Full, 1.5);
    sink.commit();
    const svg = new SvgSink({ scale: 1.5, arrowMax: 12, maxShapes: 1000 });
    emitInto(svg, Tier.Full, 1.5);
    const markup = svg.markup();
    const svgTexts = [...markup.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace('&amp;', '&'));
    const { ctx, calls } = recorder();
    l.labels.paint(ctx, { scale: 1.5, tx: 0, ty: 0, resolution: 1 }, new ColorCache());
    expect(named(calls, 'fillText').map((c) => c[1])).toEqual(svgTexts);
    expect(l.frames.count + l.nodes.count).toBe((markup.match(/<rect/g) ?? []).length);
    // Three polylines (3, 4 and 2 points): one segment per pair of points plus one arrowhead each.
    expect((markup.match(/<polyline/g) ?? []).length).toBe(3);
    expect(l.edges.count).toBe(2 + 1 + 3 + 1 + 1 + 1);
  });

  it('paints operators one path per colour, frames and groups one by one, with strokes inside the box edge', () => {
    const l = layers();
    const sink = new LayeredSink(l, 0.6);
    sink.begin(8, 16);
    emitInto(sink, Tier.Boxes, 2);
    sink.commit();
    const colors = new ColorCache();
    const nodes = recorder();
    l.nodes.paint(nodes.ctx, VIEW, { flat: false, minPx: 0 }, colors);
    // Three operators of three categories: three fills and three strokes; the frame title's patch: a fill of its
    // own colour, no stroke.
    expect(named(nodes.calls, 'fill').length).toBe(4);
    expect(named(nodes.calls, 'stroke').length).toBe(3);
    expect(nodes.calls[0]).toEqual(['setTransform', 2, 0, 0, 2, 10, 20]);
    // A 1 px outline at scale 2 is inset by a quarter layout unit on each side.
    const first = named(nodes.calls, 'roundRect');
    expect(first).toContainEqual(['roundRect', 20.25, 40.25, 119.5, 31.5, 32 * 0.16 - 0.25]);
    const frames = recorder();
    l.frames.paint(frames.ctx, VIEW, { flat: false, minPx: 0 }, colors);
    // The frame and the collapsed group each get their own fill, so nested translucent fills add up.
    expect(named(frames.calls, 'fill').length).toBe(2);
    expect(named(frames.calls, 'fillStyle=')[0][1]).toMatch(/^rgba\(/);
  });

  it('draws the overview dots flat, grown to the minimum size, one path per colour', () => {
    const list = new BoxList(false);
    list.begin();
    const red = rgba(0xff0000);
    list.push(0, 0, 0.1, 0.1, red, 0, 0, 0);
    list.push(5, 5, 0.1, 0.1, red, 0, 0, 0);
    list.push(9, 9, 0.1, 0.1, rgba(0x00ff00), 0, 0, 0);
    list.commit();
    const { ctx, calls } = recorder();
    list.paint(ctx, { scale: 1, tx: 0, ty: 0, resolution: 1 }, { flat: true, minPx: 1.5 }, new ColorCache());
    expect(named(calls, 'fill').length).toBe(2);
    expect(named(calls, 'stroke').length).toBe(0);
    expect(named(calls, 'rect')[0]).toEqual(['rect', 0.05 - 0.75, 0.05 - 0.75, 1.5, 1.5]);
    expect(named(calls, 'fillStyle=').map((c) => c[1])).toEqual(['#ff0000', '#00ff00']);
  });

  it('continues polylines without lifting the pen and caps arrowheads at the layout maximum', () => {
    const edges = new EdgeList();
    edges.begin();
    const grey = rgba(0x808080, 0.5);
    edges.segment(0, 0, 0, 10, grey, 1);
    edges.segment(0, 10, 20, 10, grey, 1);
    edges.arrow(0, 10, 20, 10, grey, 100);
    edges.commit();
    const { ctx, calls } = recorder();
    edges.paint(ctx, { scale: 2, tx: 0, ty: 0, resolution: 1 }, 4, new ColorCache());
    expect(named(calls, 'moveTo')[0]).toEqual(['moveTo', 0, 0]);
    expect(named(calls, 'lineTo').slice(0, 2)).toEqual([
      ['lineTo', 0, 10],
      ['lineTo', 20, 10],
    ]);
    expect(named(calls, 'stroke').length).toBe(1);
    // 2 px wide on screen at scale 2.
    expect(named(calls, 'lineWidth=')[0][1]).toBe(1);
    // 100 px would be 50 units; capped at 4: the base sits 4 units before the tip.
    expect(named(calls, 'moveTo')[1]).toEqual(['moveTo', 20, 10]);
    const base = named(calls, 'lineTo').slice(2);
    expect(base[0][1]).toBeCloseTo(16);
    expect(Math.abs((base[0][2] as number) - 10)).toBeCloseTo(4 * 0.42);
    expect(named(calls, 'fill').length).toBe(1);
  });

  it('paints labels in screen pixels, skipping unreadable ones and reusing the font', () => {
    const labels = new LabelList();
    labels.begin();
    const ink = rgba(0x111111);
    labels.add('Conv', 10, 10, 8, ink, 0.5, 0.5);
    labels.add('Relu', 20, 10, 8, ink, 0, 0.5);
    labels.add('tiny', 30, 10, 0.5, ink, 0.5, 0.5);
    const { ctx, calls } = recorder();
    labels.paint(ctx, VIEW, new ColorCache());
    expect(named(calls, 'fillText')).toEqual([
      ['fillText', 'Conv', 30, 40],
      ['fillText', 'Relu', 50, 40],
    ]);
    expect(named(calls, 'font=').length).toBe(1);
    expect(named(calls, 'font=')[0][1]).toMatch(/^16px /);
    expect(named(calls, 'textAlign=').map((c) => c[1])).toEqual(['center', 'left']);
  });

  it('stops taking labels when full', () => {
    const labels = new LabelList(2);
    labels.begin();
    for (let i = 0; i < 5; i++) labels.add(`l${i}`, 0, 0, 10, 0, 0, 0);
    expect(labels.count).toBe(2);
    expect(labels.full).toBe(true);
  });
});
