import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelView } from '../../src/app/model.ts';
import { Tier } from '../../src/culling/lod.ts';
import { SpatialIndex } from '../../src/culling/spatial.ts';
import { decodeFile } from '../../src/decode/decode-file.ts';
import { GraphBuilder } from '../../src/graph/builder.ts';
import type { Hierarchy } from '../../src/graph/hierarchy/types.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../src/graph/ir.ts';
import { LayoutEngine } from '../../src/layout/engine.ts';
import { graphEnds } from '../../src/layout/tensor-band.ts';
import { viewLayoutTransferList } from '../../src/layout/transfer.ts';
import { BoxKind, type ViewLayout } from '../../src/layout/types.ts';
import { emitView } from '../../src/scene/draw/emit.ts';
import type { BoxLayer, DrawSink } from '../../src/scene/draw/sink.ts';
import { THEMES } from '../../src/scene/palette.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SAMPLE = resolve(here, '../../samples/gpt-tiny.onnx');
const POSE = resolve(here, '../../../shared/models/tflite/pose_landmark_full.tflite');

/** The band's invariants against the layout it surrounds. */
function checkBand(s: ViewLayout, h: Hierarchy, ir: GraphIR): void {
  const t = s.tensors!;
  expect(t).toBeDefined();
  let top = Infinity;
  let bottom = -Infinity;
  for (let b = 0; b < s.boxCount; b++) {
    top = Math.min(top, s.boxY[b]);
    bottom = Math.max(bottom, s.boxY[b] + s.boxH[b]);
  }
  for (let i = 0; i < t.count; i++) {
    if (t.output[i]) expect(t.y[i]).toBeGreaterThan(bottom);
    else expect(t.y[i] + t.h[i]).toBeLessThan(top);
    expect(t.x[i]).toBeGreaterThanOrEqual(0);
    expect(t.x[i] + t.w[i]).toBeLessThanOrEqual(s.width + 0.5);
    expect(t.y[i] + t.h[i]).toBeLessThanOrEqual(s.height + 0.5);
    // No two boxes of one row overlap.
    for (let j = 0; j < i; j++) {
      if (t.output[j] !== t.output[i]) continue;
      expect(t.x[j] + t.w[j] <= t.x[i] || t.x[i] + t.w[i] <= t.x[j]).toBe(true);
    }
  }
  for (let e = 0; e < t.edgeCount; e++) {
    const i = t.edgeTensor[e];
    const b = t.edgeBox[e];
    expect(s.boxKind[b]).not.toBe(BoxKind.Frame);
    const p0 = t.edgePointOffsets[e];
    const p1 = t.edgePointOffsets[e + 1];
    const [sx, sy, ex, ey] = [
      t.edgePoints[2 * p0],
      t.edgePoints[2 * p0 + 1],
      t.edgePoints[2 * p1 - 2],
      t.edgePoints[2 * p1 - 1],
    ];
    // Inputs run from the tensor's bottom to the box's top; outputs from the box's bottom to the tensor's top.
    if (t.output[i]) {
      expect([sy, ey]).toEqual([s.boxY[b] + s.boxH[b], t.y[i]]);
      expect(ex).toBeCloseTo(t.x[i] + t.w[i] / 2);
    } else {
      expect([sy, ey]).toEqual([t.y[i] + t.h[i], s.boxY[b]]);
      expect(sx).toBeCloseTo(t.x[i] + t.w[i] / 2);
    }
    // The box holds a consumer (input) or the producer (output) of the tensor.
    const v = t.value[i];
    const nodes = t.output[i]
      ? [ir.valueProducer[v]]
      : Array.from(ir.valueConsumers.subarray(ir.valueConsumerOffsets[v], ir.valueConsumerOffsets[v + 1]));
    const holds = nodes.some((n) => {
      if (s.nodeBox[n] === b) return true;
      for (let g = h.nodeGroup[n]; g > 0; g = h.groupParent[g]) if (s.groupBox[g] === b) return true;
      return false;
    });
    expect(holds).toBe(true);
  }
}

describe('graph inputs and outputs as tensor boxes', () => {
  let ir: GraphIR;
  let engine: LayoutEngine;
  let h: Hierarchy;
  beforeAll(async () => {
    ir = await decodeFile(SAMPLE);
    engine = new LayoutEngine({ useElk: false });
    h = await engine.group(ir);
  });

  it('draws gpt-tiny input_ids above the model and logits below, outside the box arrays', async () => {
    const s = await engine.layout(new Uint32Array(0));
    expect(s.boxCount).toBe(h.groupItemOffsets[1]);
    const t = s.tensors!;
    const names = Array.from(t.value, (v) => ir.strings.at(ir.valueName[v]));
    expect(names).toContain('input_ids');
    expect(names).toContain('logits');
    expect(t.output[names.indexOf('input_ids')]).toBe(0);
    expect(t.output[names.indexOf('logits')]).toBe(1);
    expect(t.edgeCount).toBeGreaterThanOrEqual(2);
    checkBand(s, h, ir);
    // The view's extent (fit, opening view) includes the band.
    const bounds = new SpatialIndex(s).bounds;
    for (let i = 0; i < t.count; i++) {
      expect(bounds.minY).toBeLessThanOrEqual(t.y[i]);
      expect(bounds.maxY).toBeGreaterThanOrEqual(t.y[i] + t.h[i]);
    }
    expect(viewLayoutTransferList(s)).toContain(t.edgePoints.buffer);
  });

  it('follows expansion: edges end on the operator boxes once their groups are open', async () => {
    const all = new Uint32Array(h.groupCount - 1).map((_, i) => i + 1);
    const s = await engine.layout(all);
    checkBand(s, h, ir);
    const t = s.tensors!;
    for (let e = 0; e < t.edgeCount; e++) expect(s.boxKind[t.edgeBox[e]]).toBe(BoxKind.Node);
  });

  it('leaves out initializers listed as graph inputs', () => {
    const b = new GraphBuilder('test');
    const g = b.beginGraph('main', GraphKind.Main);
    const x = b.value(g, 'x');
    const w = b.value(g, 'w');
    const y = b.value(g, 'y');
    b.setValueType(x, 1, [1, 4]);
    b.addFlags(w, ValueFlag.Initializer);
    b.addGraphInput(g, x);
    b.addGraphInput(g, w);
    b.addGraphOutput(g, y);
    b.addNode(g, 'mm', 'MatMul', [x, w], [y]);
    const ends = graphEnds(b.finish());
    expect(ends.count).toBe(2);
    expect(Array.from(ends.output)).toEqual([0, 1]);
    expect(Array.from(ends.nodes)).toEqual([0, 0]);
  });

  it('draws a TFLite model with its input and outputs', async () => {
    const pose = await decodeFile(POSE);
    const e = new LayoutEngine({ useElk: false });
    const ph = await e.group(pose);
    const s = await e.layout(new Uint32Array(0));
    const t = s.tensors!;
    expect(Array.from(t.output).filter((o) => !o).length).toBeGreaterThanOrEqual(1);
    expect(Array.from(t.output).filter((o) => o).length).toBeGreaterThanOrEqual(1);
    checkBand(s, ph, pose);
  });
});

class Recorder implements DrawSink {
  readonly textAdvance = 0.6;
  boxes: { layer: BoxLayer; x: number; y: number; w: number; h: number }[] = [];
  edges: number[][] = [];
  labels: string[] = [];
  labelsFull = () => false;
  box(layer: BoxLayer, x: number, y: number, w: number, h: number): void {
    this.boxes.push({ layer, x, y, w, h });
  }
  beginEdge(): void {
    this.edges.push([]);
  }
  edgePoint(x: number, y: number): void {
    this.edges[this.edges.length - 1].push(x, y);
  }
  endEdge(): void {}
  label(text: string): void {
    this.labels.push(text);
  }
}

describe('drawing the tensor band', () => {
  it('draws every tensor box and edge, with name and type at full detail, whatever boxes are visible', async () => {
    const ir = await decodeFile(SAMPLE);
    const engine = new LayoutEngine({ useElk: false });
    const h = await engine.group(ir);
    const layout = await engine.layout(new Uint32Array(0));
    const model = new ModelView(ir, h, 'gpt-tiny.onnx');
    const draw = (tier: Tier) => {
      const sink = new Recorder();
      emitView(
        {
          layout,
          source: model,
          boxes: [],
          boxCount: 0,
          edges: [],
          edgeCount: 0,
          tier,
          scale: 1,
          nodeHeight: 32,
          theme: THEMES.light,
          heat: null,
          originX: 0,
          originY: 0,
        },
        sink,
      );
      return sink;
    };
    const t = layout.tensors!;
    const full = draw(Tier.Full);
    expect(full.boxes.length).toBe(t.count);
    expect(full.edges.length).toBe(t.edgeCount);
    expect(full.labels).toContain('input_ids');
    expect(full.labels).toContain('logits');
    expect(full.labels.some((l) => /^int64 \[batch×sequence\]$/.test(l))).toBe(true);
    expect(full.labels.some((l) => /^float32 \[batch×sequence×512\]$/.test(l))).toBe(true);
    // Op labels: names only; dots: flat boxes, no text.
    expect(draw(Tier.OpLabels).labels.every((l) => !l.includes('['))).toBe(true);
    const dots = draw(Tier.Dots);
    expect(dots.labels).toEqual([]);
    expect(dots.boxes.length).toBe(t.count);
  });
});
