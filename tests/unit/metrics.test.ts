import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NodeAttributes, type AttributeValue } from '../../src/decode/onnx/attributes.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import { GraphBuilder } from '../../src/graph/builder.ts';
import { buildHierarchy } from '../../src/graph/hierarchy/build.ts';
import type { Hierarchy } from '../../src/graph/hierarchy/types.ts';
import { GraphKind, ValueFlag, str, type GraphIR } from '../../src/graph/ir.ts';
import { groupMetrics, metricsByOp, sumByGroup, topGroups } from '../../src/graph/metric-sums.ts';
import { computeMetrics } from '../../src/graph/metrics.ts';
import { inferShapes, inferredShape, type ShapeInferenceOptions } from '../../src/graph/shapes/infer.ts';
import { analyzeModel, type ModelAnalysis } from '../../src/profile/analyze.ts';
import { repoRoot, sharedModels } from '../helpers/models.ts';

const MLSD = resolve(sharedModels, 'onnx/mlsd_320x320_tiny.onnx');
const GPT_TINY = resolve(repoRoot, 'samples/gpt-tiny.onnx');

/** A tiny ONNX-like graph written by hand: inputs, initializers, nodes with attributes. */
class Net {
  readonly b: GraphBuilder;
  readonly g: number;
  private readonly attrs: [number, Map<string, AttributeValue>][] = [];
  readonly constants = new Map<string, number[]>();

  constructor(format = 'onnx') {
    this.b = new GraphBuilder(format);
    this.g = this.b.beginGraph('main', GraphKind.Main);
  }

  input(name: string, dims: (number | string)[], dtype = 1): this {
    const v = this.b.value(this.g, name);
    this.b.setValueType(
      v,
      dtype,
      dims.map((d) => (typeof d === 'number' ? d : -1)),
      dims.map((d) => (typeof d === 'string' ? d : null)),
    );
    this.b.addGraphInput(this.g, v);
    return this;
  }

  init(name: string, dims: number[], dtype = 1, values?: number[]): this {
    const v = this.b.value(this.g, name);
    this.b.setValueType(v, dtype, dims);
    this.b.addFlags(v, ValueFlag.Initializer);
    if (values) this.constants.set(name, values);
    return this;
  }

  /** A value whose shape the file states (TFLite records every tensor). */
  typed(name: string, dims: number[], dtype = 1): this {
    this.b.setValueType(this.b.value(this.g, name), dtype, dims);
    return this;
  }

  node(
    op: string,
    inputs: string[],
    outputs: string[],
    attrs: Record<string, AttributeValue> = {},
    name = `${op}_${this.b.nodeCount}`,
  ): this {
    const ins = inputs.map((i) => (i ? this.b.value(this.g, i) : -1));
    const outs = outputs.map((o) => this.b.value(this.g, o));
    const id = this.b.addNode(this.g, name, op, ins, outs);
    this.attrs.push([id, new Map(Object.entries(attrs))]);
    return this;
  }

  output(name: string): this {
    this.b.addGraphOutput(this.g, this.b.value(this.g, name));
    return this;
  }

  build(options: Omit<ShapeInferenceOptions, 'attributes' | 'constants'> = {}) {
    const ir = this.b.finish();
    const attributes = new NodeAttributes();
    for (const [id, m] of this.attrs) attributes.set(id, m);
    const constants = new Map<number, Float64Array>();
    for (const [name, values] of this.constants) constants.set(valueId(ir, name), Float64Array.from(values));
    const shapes = inferShapes(ir, { ...options, attributes, constants });
    const metrics = computeMetrics(ir, shapes, { attributes });
    const shape = (name: string) => inferredShape(shapes, valueId(ir, name));
    const node = (name: string) => nodeId(ir, name);
    return { ir, shapes, metrics, shape, node };
  }
}

function valueId(ir: GraphIR, name: string): number {
  for (let v = 0; v < ir.valueCount; v++) if (str(ir, ir.valueName[v]) === name) return v;
  throw new Error(`no value ${name}`);
}

function nodeId(ir: GraphIR, name: string): number {
  for (let n = 0; n < ir.nodeCount; n++) if (str(ir, ir.nodeName[n]) === name) return n;
  throw new Error(`no node ${name}`);
}

describe('shape inference and metrics on hand-built layers', () => {
  it('Conv: output size from strides/pads, MACs from the weight shape, bias FLOPs, parameters', () => {
    const { shape, metrics, node } = new Net()
      .input('x', [1, 3, 32, 32])
      .init('w', [16, 3, 3, 3])
      .init('b', [16])
      .node('Conv', ['x', 'w', 'b'], ['y'], { strides: [2, 2], pads: [1, 1, 1, 1], kernel_shape: [3, 3] }, 'conv')
      .build();
    expect(shape('y')).toEqual([1, 16, 16, 16]);
    const n = node('conv');
    // 16·16·16 outputs × (3 channels · 3 · 3) = 110 592 MACs; FLOPs = 2·MACs + one bias add per output.
    expect(metrics.macs[n]).toBe(4096 * 27);
    expect(metrics.flops[n]).toBe(2 * 4096 * 27 + 4096);
    expect(metrics.parameters[n]).toBe(16 * 27 + 16);
    expect(metrics.activationBytes[n]).toBe(4096 * 4);
  });

  it('depthwise Conv (group = channels), ConvTranspose, pooling', () => {
    const { shape, metrics, node } = new Net()
      .input('x', [1, 8, 10, 10])
      .init('dw', [8, 1, 3, 3])
      .node('Conv', ['x', 'dw'], ['a'], { group: 8, pads: [1, 1, 1, 1] }, 'dw')
      .init('wt', [8, 2, 3, 3])
      .node('ConvTranspose', ['a', 'wt'], ['t'], { strides: [2, 2] }, 'up')
      .node('MaxPool', ['a'], ['p'], { kernel_shape: [2, 2], strides: [2, 2] }, 'pool')
      .node('AveragePool', ['a'], ['q'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, 'avg')
      .node('GlobalAveragePool', ['a'], ['g'], {}, 'gap')
      .build();
    expect(shape('a')).toEqual([1, 8, 10, 10]);
    expect(metrics.macs[node('dw')]).toBe(800 * 9);
    // ConvTranspose: 2·(10 − 1) + 3 = 21; MACs = input elements × (M/group · kH · kW).
    expect(shape('t')).toEqual([1, 2, 21, 21]);
    expect(metrics.macs[node('up')]).toBe(800 * 2 * 9);
    expect(shape('p')).toEqual([1, 8, 5, 5]);
    expect(metrics.flops[node('pool')]).toBe(200 * 4);
    // ceil((10 − 3) / 2) + 1 = 5 (the last window starts inside the input).
    expect(shape('q')).toEqual([1, 8, 5, 5]);
    expect(shape('g')).toEqual([1, 8, 1, 1]);
    expect(metrics.flops[node('gap')]).toBe(800);
  });

  it('MatMul, Gemm (transB), attention pieces, broadcasting, Softmax, LayerNormalization', () => {
    const { shape, metrics, node } = new Net()
      .input('h', ['batch', 'seq', 16])
      .init('wq', [16, 16])
      .init('wk', [16, 16])
      .node('MatMul', ['h', 'wq'], ['q'], {}, 'q_proj')
      .node('MatMul', ['h', 'wk'], ['k'], {}, 'k_proj')
      .init('shape4', [4], 7, [0, 0, 2, 8])
      .node('Reshape', ['q', 'shape4'], ['q4'], {}, 'rq')
      .node('Reshape', ['k', 'shape4'], ['k4'], {}, 'rk')
      .node('Transpose', ['q4'], ['qt'], { perm: [0, 2, 1, 3] }, 'tq')
      .node('Transpose', ['k4'], ['kt'], { perm: [0, 2, 3, 1] }, 'tk')
      .node('MatMul', ['qt', 'kt'], ['scores'], {}, 'qk')
      .init('scale', [], 1, [0.25])
      .node('Mul', ['scores', 'scale'], ['scaled'], {}, 'scale')
      .node('Softmax', ['scaled'], ['probs'], { axis: -1 }, 'softmax')
      .init('gamma', [16])
      .init('beta', [16])
      .node('LayerNormalization', ['h', 'gamma', 'beta'], ['ln'], { axis: -1 }, 'ln')
      .input('a', [4, 10])
      .init('wb', [6, 10])
      .init('c', [6])
      .node('Gemm', ['a', 'wb', 'c'], ['fc'], { transB: 1 }, 'gemm')
      .build({ dims: { seq: 10 } });
    expect(shape('q')).toEqual([1, 10, 16]);
    expect(metrics.macs[node('q_proj')]).toBe(160 * 16);
    expect(shape('q4')).toEqual([1, 10, 2, 8]);
    expect(shape('scores')).toEqual([1, 2, 10, 10]);
    // Q·Kᵀ per head: 10 × 10 outputs × 8 (head dim) MACs, 2 heads.
    expect(metrics.macs[node('qk')]).toBe(200 * 8);
    expect(metrics.flops[node('scale')]).toBe(200);
    expect(metrics.flops[node('softmax')]).toBe(3 * 200);
    expect(metrics.flops[node('ln')]).toBe(8 * 160);
    expect(metrics.parameters[node('ln')]).toBe(32);
    expect(shape('fc')).toEqual([4, 6]);
    expect(metrics.macs[node('gemm')]).toBe(24 * 10);
    expect(metrics.flops[node('gemm')]).toBe(2 * 240 + 24);
    expect(metrics.parameters[node('gemm')]).toBe(66);
  });

  it('evaluates shape arithmetic: Shape → Gather → Unsqueeze → Concat → Reshape, Slice, Split, Range', () => {
    const { shape } = new Net()
      .input('x', ['batch', 'sequence', 12])
      .node('Shape', ['x'], ['s'], {}, 'shape')
      .init('i0', [], 7, [0])
      .init('i1', [], 7, [1])
      .node('Gather', ['s', 'i0'], ['b'], { axis: 0 })
      .node('Gather', ['s', 'i1'], ['t'], { axis: 0 })
      .init('ax0', [1], 7, [0])
      .node('Unsqueeze', ['b', 'ax0'], ['b1'])
      .node('Unsqueeze', ['t', 'ax0'], ['t1'])
      .init('rest', [2], 7, [3, -1])
      .node('Concat', ['b1', 't1', 'rest'], ['target'], { axis: 0 })
      .node('Reshape', ['x', 'target'], ['y'])
      .init('st', [1], 7, [1])
      // biome-ignore lint/correctness/noPrecisionLoss: INT64_MAX, the Slice end exporters write; it reads as 2^63
      .init('en', [1], 7, [9223372036854775807])
      .init('ax', [1], 7, [2])
      .node('Slice', ['y', 'st', 'en', 'ax'], ['ys'])
      .init('parts', [2], 7, [1, 2])
      .node('Split', ['y', 'parts'], ['s0', 's1'], { axis: 2 })
      .init('zero', [], 7, [0])
      .init('one', [], 7, [1])
      .node('Range', ['zero', 't', 'one'], ['r'])
      .build({ dims: { batch: 2, sequence: 5 } });
    expect(shape('y')).toEqual([2, 5, 3, 4]);
    expect(shape('ys')).toEqual([2, 5, 2, 4]);
    expect(shape('s0')).toEqual([2, 5, 1, 4]);
    expect(shape('s1')).toEqual([2, 5, 2, 4]);
    expect(shape('r')).toEqual([5]);
  });

  it('leaves outputs of unknown ops unknown and flags the cost it cannot size', () => {
    const { shape, metrics, node, shapes } = new Net()
      .input('x', [1, 4])
      .node('MysteryOp', ['x'], ['m'], {}, 'mystery')
      .node('Relu', ['m'], ['r'], {}, 'relu')
      .node('Relu', ['x'], ['ok'], {}, 'relu_ok')
      .build();
    expect(shape('m')).toBeNull();
    expect(shape('r')).toBeNull();
    expect(shape('ok')).toEqual([1, 4]);
    expect(metrics.unknownCost[node('relu')]).toBe(1);
    expect(metrics.unknownCost[node('relu_ok')]).toBe(0);
    expect(shapes.unresolved).toEqual({ MysteryOp: 1, Relu: 1 });
  });

  it('does not guess attribute-dependent shapes when attributes were not decoded', () => {
    const b = new GraphBuilder('onnx');
    const g = b.beginGraph('main', GraphKind.Main);
    const x = b.value(g, 'x');
    b.setValueType(x, 1, [1, 3, 8, 8]);
    b.addGraphInput(g, x);
    const w = b.value(g, 'w');
    b.setValueType(w, 1, [4, 3, 3, 3]);
    b.addFlags(w, ValueFlag.Initializer);
    b.addNode(g, 'conv', 'Conv', [x, w], [b.value(g, 'y')]);
    const ir = b.finish();
    const shapes = inferShapes(ir, {});
    expect(inferredShape(shapes, valueId(ir, 'y'))).toEqual([1, 4, -1, -1]);
  });

  it('binds symbolic dims: given names, batch/sequence-like names, then the default', () => {
    const { shapes } = new Net()
      .input('x', ['batch_size', 'seq_len', 'height', 'n_feat'])
      .build({ dims: { n_feat: 7 }, defaultDim: 3 });
    expect(shapes.bindings).toEqual({ batch_size: 1, seq_len: 128, height: 3, n_feat: 7 });
  });

  it('treats model-provided names as plain data (__proto__, constructor)', () => {
    const { shapes, metrics, node } = new Net()
      .input('x', ['__proto__', 'constructor'])
      .node('toString', ['x'], ['y'], {}, 'weird')
      .node('constructor', ['x'], ['z'], {}, 'weird2')
      .build();
    expect(Object.keys(shapes.bindings)).toEqual(['__proto__', 'constructor']);
    expect(shapes.bindings.constructor).toBe(1);
    expect(Object.keys(shapes.unresolved)).toEqual(['toString', 'constructor']);
    expect(metrics.flops[node('weird')]).toBe(0);
    expect(metrics.flops[node('weird2')]).toBe(0);
  });

  it('TFLite: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED from file shapes; weights behind DEQUANTIZE count once', () => {
    const { metrics, node } = new Net('tflite')
      .input('in', [1, 8, 8, 3])
      .init('w16', [16, 3, 3, 3], 10)
      .node('DEQUANTIZE', ['w16'], ['w'], {}, 'deq')
      .typed('w', [16, 3, 3, 3])
      .init('b', [16])
      .node('CONV_2D', ['in', 'w', 'b'], ['c'], {}, 'conv')
      .typed('c', [1, 8, 8, 16])
      .init('dw', [1, 3, 3, 16])
      .node('DEPTHWISE_CONV_2D', ['c', 'dw', ''], ['d'], {}, 'dw')
      .typed('d', [1, 8, 8, 16])
      .init('shape', [2], 6)
      .node('RESHAPE', ['d', 'shape'], ['flat'], {}, 'reshape')
      .typed('flat', [1, 1024])
      .init('fw', [10, 1024])
      .node('FULLY_CONNECTED', ['flat', 'fw', ''], ['logits'], {}, 'fc')
      .typed('logits', [1, 10])
      .build();
    expect(metrics.macs[node('conv')]).toBe(1024 * 27);
    expect(metrics.flops[node('conv')]).toBe(2 * 1024 * 27 + 1024);
    expect(metrics.parameters[node('conv')]).toBe(432 + 16);
    expect(metrics.parameters[node('deq')]).toBe(0);
    expect(metrics.macs[node('dw')]).toBe(1024 * 9);
    expect(metrics.flops[node('dw')]).toBe(2 * 1024 * 9);
    expect(metrics.macs[node('fc')]).toBe(10 * 1024);
    expect(metrics.totals.parameters).toBe(432 + 16 + 144 + 2 + 10240);
  });
});

describe('group sums', () => {
  /** root → {a → {a/x}, b}; nodes 0,1 in a/x, 2 in a, 3 in b, 4 in root. */
  function handHierarchy(): Hierarchy {
    const parent = Int32Array.of(-1, 0, 1, 0);
    return {
      groupCount: 4,
      groupParent: parent,
      groupLabel: ['', 'a', 'x', 'b'],
      groupPath: ['', 'a', 'a/x', 'b'],
      groupDepth: Uint16Array.of(0, 1, 2, 1),
      groupChildOffsets: Uint32Array.of(0, 2, 3, 3, 3),
      groupChildren: Uint32Array.of(1, 3, 2),
      groupNodeOffsets: Uint32Array.of(0, 1, 2, 4, 5),
      groupNodes: Uint32Array.of(4, 2, 0, 1, 3),
      groupSize: Uint32Array.of(5, 3, 2, 1),
      groupHash: new Uint32Array(4),
      nodeGroup: Uint32Array.of(2, 2, 1, 3, 0),
      groupKind: new Uint8Array(4),
      groupItemOffsets: new Uint32Array(5),
      groupItems: new Int32Array(0),
      groupClass: new Uint32Array(4),
      nodeRank: Uint32Array.of(0, 1, 2, 3, 4),
    };
  }

  it('sums a column over each subtree (hand-built hierarchy)', () => {
    const h = handHierarchy();
    const sums = sumByGroup(h, Float64Array.of(1, 2, 4, 8, 16));
    expect([...sums]).toEqual([31, 7, 3, 8]);
    expect(topGroups(h, sums, 31, 2)).toEqual([
      { path: 'b', value: 8, share: 8 / 31 },
      { path: 'a', value: 7, share: 7 / 31 },
    ]);
  });

  it('group sums of the real hierarchy equal node sums (gpt-tiny)', async () => {
    const source = await NodeFileSource.open(GPT_TINY);
    try {
      const { model } = await openModelFile(source);
      const { ir } = model;
      const a = await analyzeModel(model, { dims: { sequence: 16 } });
      const h = buildHierarchy(ir);
      const g = groupMetrics(h, a.metrics);
      const m = a.metrics;
      expect(g.flops[0]).toBeCloseTo(m.totals.flops, 6);
      expect(g.parameters[0]).toBe(m.totals.parameters);
      expect(g.macs[0]).toBe(m.totals.macs);
      expect(g.activationBytes[0]).toBe(m.totals.activationBytes);
      expect(g.nodes[0]).toBe(ir.nodeCount);
      // Brute force: walk each node's ancestors.
      const expected = new Float64Array(h.groupCount);
      for (let n = 0; n < ir.nodeCount; n++)
        for (let gr = h.nodeGroup[n]; gr >= 0; gr = h.groupParent[gr]) expected[gr] += m.flops[n];
      for (let gr = 0; gr < h.groupCount; gr++) expect(g.flops[gr]).toBeCloseTo(expected[gr], 6);
      // Every weight counted once: parameters equal initializers plus Constant-node payloads, none unused.
      expect(m.totals.unusedParameters).toBe(0);
      expect(m.totals.parameters).toBeGreaterThanOrEqual(272_768);
      // The four transformer blocks cost the same.
      const blocks = ['h.0', 'h.1', 'h.2', 'h.3'].map((p) => g.flops[h.groupPath.indexOf(p)]);
      expect(new Set(blocks).size).toBe(1);
      // The op table adds up too.
      const ops = metricsByOp(ir, m);
      expect(ops.reduce((s, r) => s + r.flops, 0)).toBeCloseTo(m.totals.flops, 6);
      expect(ops[0].op).toBe('MatMul');
    } finally {
      await source.close();
    }
  });
});

describe('real models', () => {
  let mlsd: { ir: GraphIR; a: ModelAnalysis };
  let gpt: { ir: GraphIR; a: ModelAnalysis };

  beforeAll(async () => {
    const load = async (path: string, dims: Record<string, number>) => {
      const source = await NodeFileSource.open(path);
      try {
        const { model } = await openModelFile(source);
        const { ir } = model;
        return { ir, a: await analyzeModel(model, { dims }) };
      } finally {
        await source.close();
      }
    };
    mlsd = await load(MLSD, {});
    gpt = await load(GPT_TINY, { batch: 1, sequence: 16 });
  });

  it('mlsd: the first Conv by hand', () => {
    const { ir, a } = mlsd;
    // Conv__220: x [1, 4, 320, 320] (NHWC input transposed), W [32, 4, 3, 3], strides 2, pads [0, 0, 1, 1], bias [32].
    // H' = floor((320 + 0 + 1 − 3) / 2) + 1 = 160 → y [1, 32, 160, 160] = 819 200 elements.
    const n = nodeId(ir, 'Conv__220');
    expect(inferredShape(a.shapes, ir.nodeOutputs[ir.nodeOutputOffsets[n]])).toEqual([1, 32, 160, 160]);
    expect(a.metrics.macs[n]).toBe(819_200 * 4 * 3 * 3);
    expect(a.metrics.flops[n]).toBe(2 * 819_200 * 36 + 819_200);
    expect(a.metrics.parameters[n]).toBe(32 * 36 + 32);
    // Conv__221 is depthwise (group 32, W [32, 1, 3, 3]): 819 200 × 9 MACs.
    expect(a.metrics.macs[nodeId(ir, 'Conv__221')]).toBe(819_200 * 9);
    expect(a.metrics.totals.unknownCostNodes).toBe(0);
    expect(a.shapes.unresolved).toEqual({});
  });

  it('matches python onnx shape inference wherever it gives a static shape', () => {
    const script = [
      'import json, sys, onnx',
      'from onnx import shape_inference',
      'path, dims = sys.argv[1], json.loads(sys.argv[2])',
      'm = onnx.load(path)',
      'for i in m.graph.input:',
      '    for d in i.type.tensor_type.shape.dim:',
      '        if d.HasField("dim_param") and d.dim_param in dims:',
      '            v = dims[d.dim_param]; d.Clear(); d.dim_value = v',
      'm = shape_inference.infer_shapes(m, data_prop=True)',
      'out = {}',
      'for vi in list(m.graph.value_info) + list(m.graph.output):',
      '    t = vi.type.tensor_type',
      '    if t.HasField("shape") and all(d.HasField("dim_value") for d in t.shape.dim):',
      '        out[vi.name] = [d.dim_value for d in t.shape.dim]',
      'print(json.dumps(out))',
    ].join('\n');
    for (const [path, model, dims] of [
      [GPT_TINY, gpt, { batch: 1, sequence: 16 }],
      [MLSD, mlsd, {}],
    ] as const) {
      const ref = JSON.parse(
        execFileSync('/usr/bin/python3', ['-c', script, path, JSON.stringify(dims)], {
          encoding: 'utf8',
          maxBuffer: 64 << 20,
        }),
      ) as Record<string, number[]>;
      const names = Object.keys(ref);
      expect(names.length).toBeGreaterThan(20);
      const mismatches: string[] = [];
      for (const name of names) {
        const ours = inferredShape(model.a.shapes, valueId(model.ir, name));
        if (JSON.stringify(ours) !== JSON.stringify(ref[name]))
          mismatches.push(`${name}: ours ${JSON.stringify(ours)} vs onnx ${JSON.stringify(ref[name])}`);
      }
      expect(mismatches).toEqual([]);
    }
  }, 60_000);

  it('gpt-tiny: every output shape resolved; MatMul MACs by hand', () => {
    const { ir, a } = gpt;
    expect(a.shapes.unresolved).toEqual({});
    // c_attn: [1, 16, 64] × [64, 192] → 16 · 192 outputs × 64 = 196 608 MACs.
    const n = nodeId(ir, '/h.0/attn/c_attn/MatMul');
    expect(a.metrics.macs[n]).toBe(16 * 192 * 64);
    // Q·Kᵀ: [1, 4, 16, 16] × [1, 4, 16, 16] → 4 · 16 · 16 outputs × 16.
    expect(a.metrics.macs[nodeId(ir, '/h.0/attn/MatMul')]).toBe(4 * 16 * 16 * 16);
  });
});
