import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CountingSource } from '../helpers/models.ts';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { tfliteDecoder } from '../../src/decode/tflite/index.ts';
import { decodeTflite, openTflite } from '../../src/decode/tflite/decoder.ts';
import { BUILTIN_OPS } from '../../src/decode/tflite/schema.ts';
import { GraphKind, ValueFlag, str, valueShape, type GraphIR } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { checkInput } from '../fuzz/check.ts';
import { FuzzPlan } from '../fuzz/mutate.ts';
import { conv2dOptions, ifOptions, writeTflite, type TfModel } from '../helpers/tflite-writer.ts';

const here = dirname(fileURLToPath(import.meta.url));
const models = resolve(here, '../../../shared/models/tflite');
const file = (name: string) => resolve(models, name);

interface PythonCounts {
  nodes: number;
  ops: Record<string, number>;
  initializers: number;
  parameters: number;
  subgraphs: number;
}

/** Counts from tests/helpers/tflite_reference.py, an independent walk of the flatbuffers with python's struct. */
function pythonCounts(paths: string[]): Record<string, PythonCounts> {
  const out = execFileSync('python3', [resolve(here, '../helpers/tflite_reference.py'), ...paths], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const refs = JSON.parse(out) as Record<string, PythonCounts>;
  for (const ref of Object.values(refs)) {
    const ops: Record<string, number> = {};
    for (const [k, n] of Object.entries(ref.ops)) ops[k.startsWith('#') ? BUILTIN_OPS[Number(k.slice(1))] : k] = n;
    ref.ops = ops;
  }
  return refs;
}

async function decodePath(
  path: string,
  wholeFileLimit?: number,
): Promise<{ ir: GraphIR; bytesRead: number; size: number }> {
  const inner = await NodeFileSource.open(path);
  try {
    const source = new CountingSource(inner);
    const ir = await decodeTflite(source, {}, { wholeFileLimit });
    return { ir, bytesRead: source.bytesRead, size: source.size };
  } finally {
    await inner.close();
  }
}

// Histograms as decoded here and cross-checked with the python walker below.
const EXPECTED: Record<
  string,
  {
    nodes: number;
    ops: Record<string, number>;
    initializers: number;
    parameters: number;
    inputs: string[];
    outputs: string[];
  }
> = {
  'face_detection_full_range.tflite': {
    nodes: 354,
    ops: {
      ADD: 23,
      CONV_2D: 49,
      DEPTHWISE_CONV_2D: 40,
      DEQUANTIZE: 178,
      MAX_POOL_2D: 4,
      PAD: 8,
      RELU: 47,
      RESHAPE: 2,
      RESIZE_BILINEAR: 3,
    },
    initializers: 189,
    parameters: 514139,
    inputs: ['input'],
    outputs: ['reshaped_regressor_face_4', 'reshaped_classifier_face_4'],
  },
  'hand_landmark_full.tflite': {
    nodes: 165,
    ops: { ADD: 9, CONV_2D: 31, DEPTHWISE_CONV_2D: 16, DEQUANTIZE: 102, FULLY_CONNECTED: 4, LOGISTIC: 2, MEAN: 1 },
    initializers: 103,
    parameters: 2715682,
    inputs: ['input_1'],
    outputs: ['Identity', 'Identity_1', 'Identity_2', 'Identity_3'],
  },
  'pose_landmark_full.tflite': {
    nodes: 332,
    ops: {
      ADD: 28,
      CONV_2D: 58,
      DEPTHWISE_CONV_2D: 38,
      DEQUANTIZE: 192,
      LOGISTIC: 1,
      MAX_POOL_2D: 2,
      PAD: 5,
      RESHAPE: 3,
      RESIZE_BILINEAR: 5,
    },
    initializers: 202,
    parameters: 3169521,
    inputs: ['input_1'],
    outputs: ['Identity', 'Identity_1', 'Identity_2', 'Identity_3', 'Identity_4'],
  },
};

describe('TFLite decoder on real models', () => {
  let reference: Record<string, PythonCounts> = {};
  beforeAll(() => {
    reference = pythonCounts(Object.keys(EXPECTED).map(file));
  });

  for (const [name, want] of Object.entries(EXPECTED)) {
    it(`${name}: counts match the independent python walker and the recorded histogram`, async () => {
      const path = file(name);
      const { ir } = await decodePath(path);
      expect(ir.format).toBe('tflite');
      expect(validateIR(ir, { fileSize: readFileSync(path).length })).toEqual([]);
      const s = summarize(ir);
      const ref = reference[path];
      expect(s.nodes).toBe(ref.nodes);
      expect(s.ops).toEqual(Object.fromEntries(Object.entries(ref.ops).sort((a, b) => a[0].localeCompare(b[0]))));
      expect(s.initializers).toBe(ref.initializers);
      expect(s.parameters).toBe(ref.parameters);
      expect(s.subgraphs).toBe(ref.subgraphs - 1);
      expect({
        nodes: s.nodes,
        ops: s.ops,
        initializers: s.initializers,
        parameters: s.parameters,
        inputs: s.inputs.map((i) => i.name),
        outputs: s.outputs.map((o) => o.name),
      }).toEqual(want);
    });
  }

  it('records weight payloads as in-file ranges inside the buffers, never overlapping', async () => {
    const path = file('hand_landmark_full.tflite');
    const { ir, size } = await decodePath(path);
    const ranges: [number, number][] = [];
    for (let v = 0; v < ir.valueCount; v++) {
      if (!(ir.valueFlags[v] & ValueFlag.Initializer)) continue;
      expect(ir.valueDataOffset[v]).toBeGreaterThan(0);
      expect(ir.valueDataOffset[v] + ir.valueDataLength[v]).toBeLessThanOrEqual(size);
      ranges.push([ir.valueDataOffset[v], ir.valueDataLength[v]]);
    }
    // Several tensors may share one buffer; distinct buffers never overlap.
    const distinct = [...new Map(ranges.map((r) => [r[0], r])).values()].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < distinct.length; i++)
      expect(distinct[i][0]).toBeGreaterThanOrEqual(distinct[i - 1][0] + distinct[i - 1][1]);
    const input = ir.graphInputs[ir.graphInputOffsets[0]];
    expect(valueShape(ir, input)).toEqual([1, 224, 224, 3]);
  });

  it('range mode reads the structure only and gives the same IR', async () => {
    for (const name of Object.keys(EXPECTED)) {
      const whole = await decodePath(file(name));
      const ranged = await decodePath(file(name), 0);
      expect(summarize(ranged.ir)).toEqual(summarize(whole.ir));
      expect([...ranged.ir.valueDataOffset]).toEqual([...whole.ir.valueDataOffset]);
      expect(ranged.ir.strings).toEqual(whole.ir.strings);
      // Weights are most of these files; the structure (plus small weights read along) is a fraction of it.
      expect(ranged.bytesRead).toBeLessThan(ranged.size * (name.startsWith('face') ? 0.25 : 0.06));
    }
  });

  it('node details: builtin options and quantization', async () => {
    const path = file('hand_landmark_full.tflite');
    const source = await NodeFileSource.open(path);
    try {
      const model = await openTflite(source);
      const { ir } = model;
      const conv = [...ir.nodeOp].findIndex((op) => str(ir, op) === 'CONV_2D');
      const details = await model.nodeDetails(conv);
      const names = details.attributes.map((a) => a.name);
      expect(names).toEqual(expect.arrayContaining(['padding', 'stride_w', 'stride_h', 'fused_activation_function']));
      expect(['SAME', 'VALID']).toContain(details.attributes.find((a) => a.name === 'padding')!.value);
      const dw = [...ir.nodeOp].findIndex((op) => str(ir, op) === 'DEPTHWISE_CONV_2D');
      const dwd = await model.nodeDetails(dw);
      expect(dwd.attributes.map((a) => a.name)).toContain('depth_multiplier');
    } finally {
      await source.close();
    }
  });
});

describe('TFLite decoder on written models', () => {
  const f32 = (n: number) => new Uint8Array(4 * n);
  const model = (): TfModel => ({
    codes: [
      { builtin: 3 },
      { builtin: 32, custom: 'MyCustomOp' },
      { builtin: 150, deprecated: 127 },
      { builtin: 118 },
      { builtin: 0 },
    ],
    buffers: [null, { data: f32(2 * 3 * 3 * 3) }, { data: f32(2) }, { external: 64 }, { data: new Uint8Array(0) }],
    subgraphs: [
      {
        name: 'main',
        tensors: [
          { name: 'x', shape: [1, 8, 8, 3], shapeSignature: [-1, 8, 8, 3] },
          { name: 'w', shape: [2, 3, 3, 3], buffer: 1 },
          { name: 'b', shape: [2], buffer: 2 },
          { name: 'conv;fused/other', shape: [1, 8, 8, 2], scale: [0.5], zeroPoint: [3] },
          { name: 'dup', shape: [1, 8, 8, 2] },
          { name: 'dup', shape: [1, 8, 8, 2] },
          { name: '', shape: [], type: 6 },
          { name: 'big', shape: [16], buffer: 3 },
          { name: 'empty', shape: [4], buffer: 4 },
        ],
        inputs: [0],
        outputs: [5],
        ops: [
          { opcode: 0, inputs: [0, 1, 2], outputs: [3], optionsType: 1, options: conv2dOptions(1, 2, 2, 3) },
          { opcode: 1, inputs: [3, -1, 7], outputs: [4] },
          { opcode: 2, inputs: [4], outputs: [6] },
          { opcode: 3, inputs: [6, 4], outputs: [5], optionsType: 92, options: ifOptions(1, 2) },
        ],
      },
      {
        name: 'then',
        tensors: [
          { name: 'x', shape: [1] },
          { name: 'y', shape: [1] },
        ],
        inputs: [0],
        outputs: [1],
        ops: [{ opcode: 4, inputs: [0, 0], outputs: [1] }],
      },
      { name: 'else', tensors: [{ name: 'x', shape: [1] }], inputs: [0], outputs: [0], ops: [] },
    ],
  });

  it('decodes custom and extended op codes, sub-graphs, external buffers and odd names', async () => {
    const bytes = writeTflite(model());
    const source = new BufferSource(bytes, 'written.tflite');
    expect(tfliteDecoder.sniff(bytes.subarray(0, 4096), 'x.bin')).toBe(true);
    const opened = await tfliteDecoder.open(source);
    const ir = opened.ir;
    expect(validateIR(ir, { fileSize: bytes.length })).toEqual([]);
    const s = summarize(ir);
    expect(s.ops).toEqual({ CONV_2D: 1, GELU: 1, IF: 1, MyCustomOp: 1 });
    expect(s.initializers).toBe(3);
    expect(s.parameters).toBe(54 + 2 + 16);
    expect(s.subgraphs).toBe(2);
    expect(s.inputs).toEqual([{ name: 'x', type: 'float32', shape: [-1, 8, 8, 3] }]);
    expect(ir.graphKind[0]).toBe(GraphKind.Main);
    const ifNode = [...ir.nodeOp].findIndex((op) => str(ir, op) === 'IF');
    expect(ir.graphParentNode[1]).toBe(ifNode);
    expect(ir.graphParentNode[2]).toBe(ifNode);
    expect(str(ir, ir.graphName[1])).toBe('then');
    // Sub-graph tensors stay in their own graph even when names repeat the main graph's.
    expect(ir.graphNodeCount[1]).toBe(1);
    const names = new Set<string>();
    for (let v = ir.graphValueStart[0]; v < ir.graphValueStart[0] + ir.graphValueCount[0]; v++)
      names.add(str(ir, ir.valueName[v]));
    expect(names).toEqual(
      new Set(['x', 'w', 'b', 'conv;fused/other', 'dup', 'dup (tensor 5)', 'tensor_6', 'big', 'empty']),
    );
    // The conv node is named after its output, cut at ';'.
    const conv = [...ir.nodeOp].findIndex((op) => str(ir, op) === 'CONV_2D');
    expect(str(ir, ir.nodeName[conv])).toBe('conv');
    // An omitted optional input stays -1.
    const custom = [...ir.nodeOp].findIndex((op) => str(ir, op) === 'MyCustomOp');
    expect([...ir.nodeInputs.subarray(ir.nodeInputOffsets[custom], ir.nodeInputOffsets[custom + 1])][1]).toBe(-1);
    // The external buffer lies past the flatbuffer and is recorded by offset/size.
    let big = -1;
    for (let v = 0; v < ir.valueCount; v++) if (str(ir, ir.valueName[v]) === 'big') big = v;
    expect(ir.valueDataLength[big]).toBe(64);
    expect(ir.valueDataOffset[big]).toBe(bytes.length - 64);

    const details = await opened.nodeDetails(conv);
    const byName = Object.fromEntries(details.attributes.map((a) => [a.name, a.value]));
    expect(byName).toMatchObject({
      padding: 'VALID',
      stride_w: '2',
      stride_h: '2',
      fused_activation_function: 'RELU6',
    });
    expect(byName['output 0 quantization']).toBe('scale=0.5, zero_point=3');

    // Range mode over the same bytes: identical structure.
    const ranged = await decodeTflite(source, {}, { wholeFileLimit: 0, skipPayloadMin: 1 });
    expect(summarize(ranged)).toEqual(s);
  });

  it('control-flow sub-graphs that name each other do not make a parent cycle', async () => {
    const sub = (other: number) => ({
      tensors: [
        { name: 'c', shape: [], type: 6 },
        { name: 'x', shape: [1] },
      ],
      inputs: [0, 1],
      outputs: [1],
      ops: [{ opcode: 0, inputs: [0, 1], outputs: [1], optionsType: 92, options: ifOptions(other, other) }],
    });
    const bytes = writeTflite({
      codes: [{ builtin: 118 }],
      buffers: [null],
      subgraphs: [{ tensors: [{ name: 'x', shape: [1] }], inputs: [0], outputs: [0], ops: [] }, sub(2), sub(1)],
    });
    const model = await tfliteDecoder.open(new BufferSource(bytes, 'cycle.tflite'));
    const ir = model.ir;
    expect(validateIR(ir)).toEqual([]);
    expect(summarize(ir).subgraphs).toBe(2);
    expect([...ir.graphParentNode].filter((p) => p >= 0).length).toBe(1);
  });

  it('rejects bad headers and references with a DecodeError naming the file', async () => {
    const good = writeTflite(model());
    const reject = async (bytes: Uint8Array, pattern: RegExp, range = false) => {
      const err = await decodeTflite(new BufferSource(bytes, 'bad.bin'), {}, range ? { wholeFileLimit: 0 } : {}).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DecodeError);
      expect((err as DecodeError).describe()).toMatch(/^bad\.bin: /);
      expect((err as DecodeError).message).toMatch(pattern);
    };
    await reject(new Uint8Array(4), /too short/);
    await reject(new TextEncoder().encode('not a model at all'), /TFL3/);
    for (const at of [8, 64, good.length >> 1, good.length - 80]) {
      await reject(good.slice(0, at), /past the end of the file|truncated|corrupt/);
      await reject(good.slice(0, at), /past the end of the file|truncated|corrupt/, true);
    }
    // Root offset pointing past the end.
    const root = good.slice();
    new DataView(root.buffer).setUint32(0, 0x7ffffff0, true);
    await reject(root, /root offset|Model/);
    // A tensor index out of range in an operator.
    const m = model();
    m.subgraphs[0].ops[0].inputs = [0, 99, 2];
    await reject(writeTflite(m), /Operator\.inputs names tensor 99/);
    const m2 = model();
    m2.subgraphs[0].tensors[1].buffer = 50;
    await reject(writeTflite(m2), /Tensor\.buffer/);
    const m3 = model();
    m3.subgraphs[0].ops[0].opcode = 9;
    await reject(writeTflite(m3), /opcode_index/);
  });

  it('mutated files decode to a valid IR or fail with a DecodeError, quickly', async () => {
    const seeds = [{ label: 'written', bytes: writeTflite(model()), kind: 'flatbuffer' as const }];
    const plan = new FuzzPlan(seeds, 300, 7, 60);
    for (let i = 0; i < plan.size; i++) {
      const c = plan.case(i);
      const result = await checkInput(tfliteDecoder, c.bytes, 'fuzz.tflite', { timeLimitMs: 2000, downstream: true });
      if (result.outcome === 'failure') throw new Error(`${c.label}: ${result.stage}: ${result.message}`);
    }
  });

  it('a real model cut short or with corrupt offsets fails cleanly', async () => {
    const bytes = readFileSync(file('face_detection_full_range.tflite'));
    for (const at of [100, 5000, 200_000, bytes.length - 10]) {
      const r = await checkInput(tfliteDecoder, new Uint8Array(bytes.subarray(0, at)), 'cut.tflite');
      expect(r.outcome, r.message).not.toBe('failure');
    }
    const plan = new FuzzPlan([{ label: 'face', bytes: new Uint8Array(bytes), kind: 'flatbuffer' }], 25, 11, 0);
    for (let i = 1; i < plan.size; i++) {
      const c = plan.case(i);
      const r = await checkInput(tfliteDecoder, c.bytes, 'fuzz.tflite', { timeLimitMs: 5000 });
      if (r.outcome === 'failure') throw new Error(`${c.label}: ${r.stage}: ${r.message}`);
    }
  });
});
