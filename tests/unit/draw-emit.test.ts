import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelView } from '../../src/app/model.ts';
import { Culler } from '../../src/culling/culler.ts';
import { Tier, tierFor } from '../../src/culling/lod.ts';
import { decodeFile } from '../../src/decode/decode-file.ts';
import { LayoutEngine } from '../../src/layout/engine.ts';
import { BoxKind, type ViewLayout } from '../../src/layout/types.ts';
import { MAX_DOT_EDGES, emitView, type DrawInput, type SceneSource } from '../../src/scene/draw/emit.ts';
import { ghostRect, type DiffPaint } from '../../src/scene/draw/diff-paint.ts';
import { packHeat } from '../../src/scene/draw/heat.ts';
import { BoxLayer, type DrawSink } from '../../src/scene/draw/sink.ts';
import { SvgSink, escapeXml } from '../../src/scene/draw/svg-sink.ts';
import { OpCategory, THEMES, rgba } from '../../src/scene/palette.ts';
import { buildSvg } from '../../src/scene/svg-export.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SAMPLE = resolve(here, '../../samples/gpt-tiny.onnx');
const theme = THEMES.light;
const ADV = 0.6;

interface Label {
  text: string;
  x: number;
  y: number;
  size: number;
  color: number;
  anchorX: number;
}
interface Box {
  layer: BoxLayer;
  x: number;
  y: number;
  w: number;
  h: number;
  fill: number;
  stroke: number;
  radius: number;
  strokePx: number;
}
interface Edge {
  color: number;
  halfWidthPx: number;
  points: number[];
  arrowPx: number;
}

/** Records every primitive, like a sink that draws nothing. */
class RecordingSink implements DrawSink {
  readonly textAdvance = ADV;
  boxes: Box[] = [];
  edges: Edge[] = [];
  labels: Label[] = [];
  constructor(private readonly maxLabels = Infinity) {}
  labelsFull(): boolean {
    return this.labels.length >= this.maxLabels;
  }
  box(
    layer: BoxLayer,
    x: number,
    y: number,
    w: number,
    h: number,
    fill: number,
    stroke: number,
    radius: number,
    strokePx: number,
  ): void {
    this.boxes.push({ layer, x, y, w, h, fill, stroke, radius, strokePx });
  }
  beginEdge(color: number, halfWidthPx: number): void {
    this.edges.push({ color, halfWidthPx, points: [], arrowPx: -1 });
  }
  edgePoint(x: number, y: number): void {
    this.edges[this.edges.length - 1].points.push(x, y);
  }
  endEdge(arrowPx: number): void {
    this.edges[this.edges.length - 1].arrowPx = arrowPx;
  }
  label(text: string, x: number, y: number, size: number, color: number, anchorX: number): void {
    this.labels.push({ text, x, y, size, color, anchorX });
  }
}

/**
 * A frame (group 1) holding two operators and a collapsed group (group 2), plus a root-level operator:
 *   box 0 Frame g1 (0,0 400×200) · box 1 Node 0 · box 2 Node 1 (long op type) · box 3 Group g2 · box 4 Node 2 (root)
 * Edges: 1→2 (3 points), 2→3 (4 points), 3→4 (2 points).
 */
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
  nodeOp: (n) => ['Conv', 'AVeryLongOperatorTypeNameThatCannotFit', 'Relu'][n],
  nodeName: (n) => ['model/block.0/conv/Conv', 'model/block.0/very/deep/scope/name_1', 'relu'][n],
  nodeCategory: (n) => [OpCategory.Compute, OpCategory.Other, OpCategory.Activation][n],
  groupLabel: (g) => ['model', 'block.0', 'attention'][g],
  groupSize: (g) => [3, 2, 17][g],
  edgeLabel: (_L, e) => ['1×64', '', 'scalar'][e],
};

function draw(tier: Tier, scale: number, extra: Partial<DrawInput> = {}, sink = new RecordingSink()): RecordingSink {
  const layout = extra.layout ?? fixture();
  const all = Array.from({ length: layout.boxCount }, (_, i) => i);
  const edges = Array.from({ length: layout.edgeCount }, (_, i) => i);
  emitView(
    {
      layout,
      source,
      boxes: all,
      boxCount: all.length,
      edges,
      edgeCount: edges.length,
      tier,
      scale,
      nodeHeight: 32,
      theme,
      heat: null,
      originX: 0,
      originY: 0,
      ...extra,
    },
    sink,
  );
  return sink;
}

/** Room a label was fitted to (monospace: width = chars × advance × size). */
const width = (l: Label) => Array.from(l.text).length * ADV * l.size;

describe('drawing emitter: tiers', () => {
  it('dots: operators and tiny groups as flat dots in category stroke colours, faint straight edges, no labels', () => {
    const s = draw(Tier.Dots, 0.05);
    const nodes = s.boxes.filter((b) => b.layer === BoxLayer.Nodes);
    // The three operators; the collapsed group (9 × 2.2 px) is still a group box.
    expect(nodes.length).toBe(3);
    for (const b of nodes) expect([b.strokePx, b.radius, b.stroke]).toEqual([0, 0, 0]);
    expect(nodes[0].fill).toBe(rgba(theme.categoryStroke[OpCategory.Compute], 1));
    expect(s.labels).toEqual([]);
    expect(s.edges.length).toBe(3);
    for (const e of s.edges) {
      expect(e.points.length).toBe(4);
      expect(e.arrowPx).toBe(0);
      expect(e.halfWidthPx).toBe(0.4);
      expect(e.color).toBe(rgba(theme.edge, 0.35));
    }
    // Frames thinner than 2 px vanish; groups that thin become dots.
    const far = draw(Tier.Dots, 0.004);
    expect(far.boxes.filter((b) => b.layer === BoxLayer.Frames)).toEqual([]);
    expect(far.boxes.filter((b) => b.layer === BoxLayer.Nodes).length).toBe(4);
  });

  it('boxes: outlined operator boxes, frames and groups below the edges, straight edges with small arrows', () => {
    const s = draw(Tier.Boxes, 0.2);
    expect(s.boxes.map((b) => b.layer)).toEqual([
      BoxLayer.Frames,
      BoxLayer.Nodes,
      BoxLayer.Nodes,
      BoxLayer.Frames,
      BoxLayer.Nodes,
    ]);
    const node = s.boxes[1];
    expect(node).toMatchObject({ x: 20, y: 40, w: 120, h: 32, strokePx: 1, radius: 32 * 0.16 });
    expect(node.fill).toBe(rgba(theme.categoryFill[OpCategory.Compute], 1));
    expect(s.boxes[0]).toMatchObject({ fill: rgba(theme.frameFill, theme.frameFillAlpha), radius: 32 * 0.16 * 1.6 });
    expect(s.boxes[3]).toMatchObject({ fill: rgba(theme.groupFill, 1), strokePx: 1.5 });
    expect(s.labels).toEqual([]);
    expect(s.edges.map((e) => e.points)).toEqual([
      [80, 72, 80, 120],
      [80, 152, 290, 84],
      [290, 84, 128, 300],
    ]);
    expect(s.edges.every((e) => e.arrowPx === 6)).toBe(true);
    // Aggregated edges are thicker.
    expect(s.edges[2].halfWidthPx).toBeGreaterThan(s.edges[0].halfWidthPx);
  });

  it('op labels: op type centred in the box, routed polylines with arrows', () => {
    const s = draw(Tier.OpLabels, 0.5);
    const conv = s.labels.find((l) => l.text === 'Conv')!;
    expect(conv).toMatchObject({ x: 80, y: 56, size: 32 * 0.46, anchorX: 0.5 });
    expect(s.labels.some((l) => l.text.includes('model/block'))).toBe(false);
    expect(s.edges[1].points).toEqual([80, 152, 80, 170, 290, 170, 290, 84]);
    expect(s.edges.every((e) => e.arrowPx === 8)).toBe(true);
  });

  it('full: op type and the tail of the name, tensor shapes beside edges', () => {
    const s = draw(Tier.Full, 1.5);
    const conv = s.labels.find((l) => l.text === 'Conv')!;
    expect(conv.y).toBeCloseTo(40 + 32 * 0.36);
    const name = s.labels.find((l) => l.text.endsWith('Conv') && l.text !== 'Conv')!;
    expect(name.size).toBeCloseTo(32 * 0.2);
    expect(name.text.startsWith('…') || name.text === 'model/block.0/conv/Conv').toBe(true);
    expect(name.color).toBe(rgba(theme.textDim));
    // Edge labels: beside the middle segment's midpoint; edges without one get none.
    const shape = s.labels.find((l) => l.text === '1×64')!;
    expect(shape).toMatchObject({ y: (96 + 120) / 2, anchorX: 0 });
    expect(shape.x).toBeCloseTo(80 + 32 * 0.12);
    expect(s.labels.find((l) => l.text === 'scalar')).toBeTruthy();
  });
});

describe('drawing emitter: labels', () => {
  it('shrinks a long op type to its floor and cuts it with an ellipsis so it fits the box', () => {
    for (const tier of [Tier.OpLabels, Tier.Full]) {
      const s = draw(tier, 1.5);
      const long = s.labels.find((l) => l.text.startsWith('AVery'))!;
      expect(long.text.endsWith('…')).toBe(true);
      expect(long.size).toBeCloseTo(32 * (tier === Tier.Full ? 0.22 : 0.3));
      expect(width(long)).toBeLessThanOrEqual(120 * 0.9 + 1e-6);
    }
  });

  it('titles frames in their title bar at 0.4 node heights, left-aligned, only when readable', () => {
    const s = draw(Tier.Full, 1.5);
    const title = s.labels.find((l) => l.text === 'block.0')!;
    expect(title).toMatchObject({ size: 32 * 0.4, anchorX: 0, color: rgba(theme.frameText) });
    expect(title.x).toBeCloseTo(32 * 0.4 * 0.6);
    expect(title.y).toBeCloseTo(32 * 0.42);
    // 12.8 units × 0.5 = 6.4 px: too small to read, not drawn.
    expect(draw(Tier.OpLabels, 0.5).labels.find((l) => l.text === 'block.0')).toBeUndefined();
    // The root's own frame (group 0 at depth 0) has no title.
    const L = fixture();
    L.boxRef[0] = 0;
    expect(draw(Tier.Full, 1.5, { layout: L }).labels.find((l) => l.text === 'model')).toBeUndefined();
  });

  it('keeps a frame title readable where an edge enters through the top: an opaque patch under it, labels off it', () => {
    // Operator 0 above frame g1, operator 1 inside it; the edge between them runs straight down through the
    // frame's title bar, and its middle falls on the title.
    const L = fixture();
    L.boxY.set([100, 0, 190]);
    L.boxDepth.set([1, 0, 2]);
    L.boxX[1] = 0;
    L.boxX[2] = 0;
    L.edgePoints = Float32Array.of(30, 32, 30, 190, 80, 222, 80, 240, 290, 240, 290, 84, 290, 84, 128, 300);
    L.edgePointOffsets = Uint32Array.of(0, 2, 6, 8);
    const s = draw(Tier.Full, 1.5, { layout: L });
    const title = s.labels.find((l) => l.text === 'block.0')!;
    const patch = s.boxes.find(
      (b) => b.layer === BoxLayer.Nodes && b.stroke === 0 && b.y < title.y && b.y + b.h > title.y,
    )!;
    expect(patch.x).toBeLessThan(title.x);
    expect(patch.x + patch.w).toBeGreaterThanOrEqual(title.x + 'block.0'.length * title.size * ADV);
    // Opaque, in the colour the translucent frame fill gives over the background.
    expect(patch.fill >>> 0).not.toBe(rgba(theme.frameFill, theme.frameFillAlpha) >>> 0);
    const shape = s.labels.find((l) => l.text === '1×64')!;
    const top = shape.y - shape.size / 2;
    const clear = top + shape.size <= patch.y || top >= patch.y + patch.h;
    expect(clear).toBe(true);
    // Moved along the run, not dropped: a third of the way down instead of half-way.
    expect(shape.y).toBeCloseTo(32 + (190 - 32) * 0.3);
  });

  it('names collapsed groups from 12 px and adds their size on a second line from 30 px', () => {
    expect(draw(Tier.Boxes, 0.25).labels.find((l) => l.text === 'attention')).toBeUndefined();
    const one = draw(Tier.Boxes, 0.5).labels;
    expect(one.find((l) => l.text === 'attention')!.y).toBeCloseTo(40 + 44 * 0.5);
    expect(one.find((l) => l.text === '17 nodes')).toBeUndefined();
    const two = draw(Tier.OpLabels, 1).labels;
    const name = two.find((l) => l.text === 'attention')!;
    expect(name.y).toBeCloseTo(40 + 44 * 0.38);
    expect(name.size).toBeCloseTo(Math.min(44 * 0.34, 16));
    expect(two.find((l) => l.text === '17 nodes')!.size).toBeCloseTo(name.size * 0.68);
  });

  it('lists parameters and FLOPs on a third line of a collapsed group once the analysis summed them', () => {
    const totals = { ...source, groupTotals: (g: number) => (g === 2 ? '1.2M params · 3.4 GFLOPs' : '') };
    const three = draw(Tier.OpLabels, 1, { source: totals }).labels;
    const name = three.find((l) => l.text === 'attention')!;
    const count = three.find((l) => l.text === '17 nodes')!;
    const line = three.find((l) => l.text === '1.2M params · 3.4 GFLOPs')!;
    expect([name.y, count.y, line.y].map((y) => (y - 40) / 44)).toEqual([0.3, 0.6, 0.82].map((f) => expect.closeTo(f)));
    expect(count.size).toBeCloseTo(name.size * 0.55);
    // Shrunk to fit the box (down to 0.45 of the name), never wider than it.
    expect(line.size).toBeLessThanOrEqual(count.size);
    expect(line.size).toBeGreaterThanOrEqual(name.size * 0.45 - 1e-9);
    expect(width(line)).toBeLessThanOrEqual(180 * 0.9 + 1e-6);
    // One line only: the name alone.
    expect(draw(Tier.Boxes, 0.5, { source: totals }).labels.map((l) => l.text)).toEqual(['attention']);
  });

  it('draws inferred edge shapes (~) fainter than recorded ones', () => {
    const inferred = { ...source, edgeLabel: (_L: ViewLayout, e: number) => ['1×64', '', '~1×16×64'][e] };
    const labels = draw(Tier.Full, 1.5, { source: inferred }).labels;
    expect(labels.find((l) => l.text === '1×64')!.color).toBe(rgba(theme.textDim));
    expect(labels.find((l) => l.text === '~1×16×64')!.color).toBe(rgba(theme.textDim, 0.62));
  });

  it('stops producing labels once the sink is full', () => {
    // Checked per item: the first operator's two labels, then nothing. The frame's title comes with the patch it
    // sits on (one box more than the five items).
    const s = draw(Tier.Full, 1.5, {}, new RecordingSink(2));
    expect(s.labels.length).toBe(3);
    expect(s.boxes.length).toBe(6);
  });

  it('colours by heat, with totals after a group name or on its second line', () => {
    const heat = packHeat({
      node: Uint32Array.of(0xff0000, 0x00ff00, 0x0000ff),
      group: Uint32Array.of(0, 0x123456, 0xffffcc),
      groupSuffix: (g) => `${g}M params`,
    });
    const s = draw(Tier.OpLabels, 0.5, { heat });
    expect(s.boxes[1].fill).toBe(rgba(0xff0000, 1));
    expect(s.boxes[3].fill).toBe(rgba(0xffffcc, 1));
    expect(s.labels.find((l) => l.text.startsWith('attention'))!.text).toBe('attention · 2M params');
    // Light heat colour → dark text.
    expect(s.labels.find((l) => l.text.startsWith('attention'))!.color).toBe(rgba(0x1f2a3d, 1));
    const two = draw(Tier.OpLabels, 1, { heat }).labels;
    expect(two.find((l) => l.text === '2M params')).toBeTruthy();
  });

  it('draws a comparison: diff colours over heat, group badges, ghosts after every box beside their anchor', () => {
    const heat = packHeat({ node: Uint32Array.of(1, 2, 3), group: Uint32Array.of(4, 5, 6) });
    const colours = packHeat({
      node: Uint32Array.of(0x5cc47a, 0xeef0f4, 0xf5b841),
      group: Uint32Array.of(0, 0, 0xf5b841),
      groupSuffix: (g) => (g === 2 ? '+1 ~2 −3' : ''),
    });
    const diff: DiffPaint = {
      colours,
      // Node 0 (box 1) anchors two ghosts.
      ghostOffsets: Uint32Array.of(0, 2, 2, 2),
      ghostLabels: ['Tanh', 'Gelu'],
      ghostFill: rgba(0xf4b4b6, 0.8),
      ghostStroke: rgba(0xd1242b),
      ghostText: rgba(0xb01f25),
      nodeMark: Int32Array.of(1, -1, 1),
      groupMark: Int32Array.of(-1, -1, 1),
    };
    const s = draw(Tier.OpLabels, 1, { heat, diff });
    // Box 0 is the frame, box 1 the patch under its title, box 2 the first operator.
    expect(s.boxes[2].fill).toBe(rgba(0x5cc47a, 1));
    expect(s.labels.some((l) => l.text === '+1 ~2 −3')).toBe(true);
    const ghosts = s.boxes.slice(-2);
    expect(ghosts.map((g) => g.fill)).toEqual([diff.ghostFill, diff.ghostFill]);
    expect(ghosts[0]).toMatchObject({ x: ghostRect(20, 40, 120, 32, 0).x, y: 40, w: 120, h: 32 });
    expect(ghosts[1].y).toBe(ghostRect(20, 40, 120, 32, 1).y);
    expect(s.labels.filter((l) => l.color === diff.ghostText).map((l) => l.text)).toEqual(['− Tanh', '− Gelu']);
    // In the overview the ghosts are dots in the ghost stroke colour.
    const dots = draw(Tier.Dots, 0.05, { diff });
    expect(dots.boxes.filter((b) => b.fill === diff.ghostStroke)).toHaveLength(2);
  });

  it('subtracts the draw origin from every coordinate', () => {
    const a = draw(Tier.Full, 1.5);
    const b = draw(Tier.Full, 1.5, { originX: 1000, originY: -50 });
    expect(b.boxes.map((x) => [x.x + 1000, x.y - 50])).toEqual(a.boxes.map((x) => [x.x, x.y]));
    expect(b.labels.length).toBe(a.labels.length);
    b.labels.forEach((l, i) => {
      expect(l.x + 1000).toBeCloseTo(a.labels[i].x);
      expect(l.y - 50).toBeCloseTo(a.labels[i].y);
    });
    expect(b.edges[0].points[0] + 1000).toBe(a.edges[0].points[0]);
  });

  it('bounds the edges drawn in the overview', () => {
    const L = fixture();
    const n = MAX_DOT_EDGES + 10;
    const edges = new Int32Array(n);
    const s = new RecordingSink();
    emitView(
      {
        layout: L,
        source,
        boxes: [],
        boxCount: 0,
        edges,
        edgeCount: n,
        tier: Tier.Dots,
        scale: 0.01,
        nodeHeight: 32,
        theme,
        heat: null,
        originX: 0,
        originY: 0,
      },
      s,
    );
    expect(s.edges.length).toBe(MAX_DOT_EDGES);
  });
});

describe('SVG export', () => {
  const view = { minX: 0, minY: 0, maxX: 400, maxY: 350 };
  const svgOf = (tier: Tier, scale: number, src: SceneSource = source) =>
    buildSvg({
      layout: fixture(),
      source: src,
      theme,
      heat: null,
      view: { ...view, maxX: 400, maxY: 350 },
      boxes: [0, 1, 2, 3, 4],
      edges: [0, 1, 2],
      tier,
      nodeHeight: 32,
      width: 400 * scale,
      height: 350 * scale,
    });
  const texts = (svg: string) => Array.from(svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g), (m) => m[1]);

  it('draws what the canvas draws: the same fitted labels, in the same order', () => {
    for (const [tier, scale] of [
      [Tier.OpLabels, 1],
      [Tier.Full, 1.5],
    ] as const) {
      const canvas = draw(tier, scale).labels.map((l) => escapeXml(l.text));
      expect(texts(svgOf(tier, scale))).toEqual(canvas);
    }
  });

  it('has layered groups, rounded boxes, polylines and arrowheads', () => {
    const svg = svgOf(Tier.Boxes, 0.5);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 350"')).toBe(true);
    const order = ['id="frames"', 'id="edges"', 'id="nodes"', 'id="labels"'].map((g) => svg.indexOf(g));
    expect(order.every((p, i) => p > 0 && (i === 0 || p > order[i - 1]))).toBe(true);
    expect(svg.match(/<polyline /g)!.length).toBe(3);
    expect(svg.match(/<polygon /g)!.length).toBe(3);
    expect(svg.match(/<rect /g)!.length).toBe(6);
    // A frame title in the SVG uses the canvas size (0.4 node heights).
    expect(svgOf(Tier.Full, 1.5)).toContain('font-size="12.80" fill="#');
  });

  it('escapes model text', () => {
    const hostile: SceneSource = { ...source, nodeOp: () => '<script>&"\'', groupLabel: () => '<img src=x>' };
    const svg = svgOf(Tier.Full, 1.5, hostile);
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;script&gt;&amp;&quot;&apos;');
  });

  it('converts screen-pixel widths with the view scale and caps the shape count', () => {
    const sink = new SvgSink({ scale: 2, arrowMax: 12.8, maxShapes: 2 });
    sink.box(BoxLayer.Nodes, 0, 0, 10, 10, rgba(0xff0000, 1), rgba(0, 0.6), 2, 1);
    sink.beginEdge(rgba(0x00ff00, 1), 1);
    sink.edgePoint(0, 0);
    sink.edgePoint(0, 100);
    sink.endEdge(8);
    sink.label('dropped', 0, 0, 10, 0, 0.5, 0.5);
    const m = sink.markup();
    expect(m).toContain('stroke="#000000" stroke-opacity="0.6" stroke-width="0.5"');
    expect(m).toContain('stroke-width="1"/>');
    // Arrow: 8 px at scale 2 = 4 units long, ending at the last point.
    expect(m).toContain('<polygon points="0,100 ');
    expect(m).toContain(',96');
    expect(sink.labelsFull()).toBe(true);
    expect(m).not.toContain('dropped');
  });
});

describe('drawing a real model (samples/gpt-tiny.onnx)', () => {
  let layout: ViewLayout;
  let model: ModelView;
  let culler: Culler;
  beforeAll(async () => {
    const ir = await decodeFile(SAMPLE);
    const engine = new LayoutEngine({ useElk: false });
    const h = await engine.group(ir);
    model = new ModelView(ir, h, 'gpt-tiny.onnx');
    const all = Uint32Array.from({ length: h.groupCount - 1 }, (_, i) => i + 1);
    layout = await engine.layout(all);
    culler = new Culler(layout);
  });

  it('emits every visible box once and keeps every label inside its room at each tier', () => {
    for (const px of [2, 8, 20, 44]) {
      const scale = px / culler.nodeHeight;
      const tier = tierFor(px);
      const b = layout.boxCount;
      const s = new RecordingSink();
      emitView(
        {
          layout,
          source: model,
          boxes: Array.from({ length: b }, (_, i) => i),
          boxCount: b,
          edges: Array.from({ length: layout.edgeCount }, (_, i) => i),
          edgeCount: layout.edgeCount,
          tier,
          scale,
          nodeHeight: culler.nodeHeight,
          theme,
          heat: null,
          originX: 0,
          originY: 0,
        },
        s,
      );
      const nodes = layout.boxKind.filter((k) => k === BoxKind.Node).length;
      expect(s.boxes.filter((x) => x.layer === BoxLayer.Nodes).length).toBeGreaterThanOrEqual(nodes);
      if (tier >= Tier.OpLabels) expect(s.labels.length).toBeGreaterThanOrEqual(nodes);
      else expect(s.labels.filter((l) => l.size < 0.3 * culler.nodeHeight).length).toBe(0);
      for (const l of s.labels) {
        if (l.anchorX !== 0.5) continue;
        // Centred labels sit inside a box: find it and check the fit.
        const box = s.boxes.find((x) => Math.abs(x.x + x.w / 2 - l.x) < 1e-3 && l.y >= x.y && l.y <= x.y + x.h);
        expect(box, l.text).toBeTruthy();
        expect(width(l)).toBeLessThanOrEqual(box!.w * 0.9 + 1e-3);
      }
    }
  });
});
