import { readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { CountingSource } from '../helpers/models.ts';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { buildCaffeGraph } from '../../src/decode/caffe/build.ts';
import { parseCaffemodel } from '../../src/decode/caffe/caffemodel.ts';
import { caffeDecoder } from '../../src/decode/caffe/index.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { ValueFlag, nodeInputIds, nodeOutputIds, str, valueShape, type GraphIR } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { checkInput } from '../fuzz/check.ts';
import { FuzzPlan } from '../fuzz/mutate.ts';

const here = dirname(fileURLToPath(import.meta.url));
const models = resolve(here, '../../../shared/models/caffe');
const prototxts = readdirSync(models)
  .filter((f) => f.endsWith('.prototxt'))
  .sort();

/**
 * Independent count, line by line: `type: "X"` lines directly inside a top-level `layer {` block (brace depth 1),
 * so filler types nested deeper are not counted.
 */
function countLayerTypes(text: string): { layers: number; types: Record<string, number> } {
  let depth = 0;
  let inLayer = false;
  let layers = 0;
  const types: Record<string, number> = {};
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '');
    if (depth === 0 && /^\s*layers?\s*\{/.test(line)) {
      inLayer = true;
      layers++;
    }
    const m = /^\s*type\s*:\s*"([^"]+)"/.exec(line);
    if (m && inLayer && depth === 1) types[m[1]] = (types[m[1]] ?? 0) + 1;
    for (const ch of line) {
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
    }
    if (depth === 0) inLayer = false;
  }
  return { layers, types: Object.fromEntries(Object.entries(types).sort((a, b) => a[0].localeCompare(b[0]))) };
}

function isAcyclicInOrder(ir: GraphIR): boolean {
  for (let n = 0; n < ir.nodeCount; n++) {
    for (const v of nodeInputIds(ir, n)) if (ir.valueProducer[v] >= n) return false;
  }
  return true;
}

const decodeText = async (text: string, name = 'net.prototxt') =>
  (await caffeDecoder.open(new BufferSource(new TextEncoder().encode(text), name))).ir;

describe('Caffe decoder on the real .prototxt files', () => {
  it('finds both files', () => expect(prototxts).toEqual(['SqueezeDet_deploy.prototxt', 'SqueezeNet_deploy.prototxt']));

  const expected: Record<string, { nodes: number; ops: Record<string, number>; outputs: string[] }> = {
    'SqueezeDet_deploy.prototxt': {
      nodes: 83,
      ops: {
        Concat: 10,
        Convolution: 33,
        Permute: 1,
        Pooling: 3,
        ReLU: 32,
        Reshape: 1,
        Sigmoid: 1,
        Slice: 1,
        Softmax: 1,
      },
      outputs: ['delta_bbox', 'class_scores', 'conf_scores'],
    },
    'SqueezeNet_deploy.prototxt': {
      nodes: 65,
      ops: { Concat: 8, Convolution: 26, Pooling: 4, ReLU: 26, Softmax: 1 },
      outputs: ['predictions'],
    },
  };

  for (const name of prototxts) {
    it(`${name}: one node per layer, types counted from the text, in-place layers renamed`, async () => {
      const path = resolve(models, name);
      const text = readFileSync(path, 'utf8');
      expect(caffeDecoder.sniff(new Uint8Array(readFileSync(path).subarray(0, 4096)), 'model.txt')).toBe(true);
      const source = await NodeFileSource.open(path);
      try {
        const model = await caffeDecoder.open(source);
        const ir = model.ir;
        expect(ir.format).toBe('caffe');
        expect(validateIR(ir, { fileSize: source.size })).toEqual([]);
        const s = summarize(ir);
        const ref = countLayerTypes(text);
        expect(s.nodes).toBe(ref.layers);
        expect(s.ops).toEqual(ref.types);
        expect({ nodes: s.nodes, ops: s.ops, outputs: s.outputs.map((o) => o.name) }).toEqual(expected[name]);
        expect(s.inputs).toEqual([{ name: 'data', type: 'float32', shape: [1, 3, 416, 416] }]);
        expect(s.initializers).toBe(0);
        expect(isAcyclicInOrder(ir)).toBe(true);
        // In-place ReLU after conv1: reads conv1, writes a new version of it, which pool1 reads.
        const relu = [...ir.nodeName].findIndex((x) => str(ir, x) === 'rect_conv1');
        const conv1 = [...ir.nodeName].findIndex((x) => str(ir, x) === 'conv1');
        expect(ir.valueProducer[nodeInputIds(ir, relu)[0]]).toBe(conv1);
        const reluOut = nodeOutputIds(ir, relu)[0];
        expect(str(ir, ir.valueName[reluOut])).toBe('conv1#1');
        const pool1 = [...ir.nodeName].findIndex((x) => str(ir, x) === 'pool1');
        expect(nodeInputIds(ir, pool1)[0]).toBe(reluOut);
        // Shapes follow Caffe's arithmetic from the 416×416 input: 7×7 stride 2 → 205, 3×3/2 ceil pooling → 102.
        expect(summarize(ir).inputs[0].shape).toEqual([1, 3, 416, 416]);
        expect(valueShape(ir, nodeOutputIds(ir, conv1)[0])).toEqual([1, 96, 205, 205]);
        expect(valueShape(ir, nodeOutputIds(ir, pool1)[0])).toEqual([1, 96, 102, 102]);
        const fire2 = [...ir.nodeName].findIndex((x) => str(ir, x) === 'fire2');
        expect(valueShape(ir, nodeOutputIds(ir, fire2)[0])).toEqual([1, 128, 102, 102]);
        if (name === 'SqueezeNet_deploy.prototxt') expect(s.outputs[0].shape).toEqual([1, 1000, 1, 1]);
        const details = await model.nodeDetails(conv1);
        expect(Object.fromEntries(details.attributes.map((a) => [a.name, a.value]))).toMatchObject({
          'convolution_param.num_output': '96',
          'convolution_param.kernel_size': '7',
          'convolution_param.stride': '2',
        });
      } finally {
        await source.close();
      }
    });
  }
});

describe('Caffe text format', () => {
  it('legacy V1 `layers` with enum types, input_shape, Input layers, lists and escapes', async () => {
    const ir = await decodeText(`
name: "legacy" # comment
input: "a"
input_shape { dim: 1 dim: 2 }
input: "b"
input_shape { dim: 3 }
layers { name: "ip" type: INNER_PRODUCT bottom: "a" top: "ip" inner_product_param { num_output: 10 } }
layers { name: "relu" type: RELU bottom: "ip" top: "ip" }
layer { name: "in2" type: "Input" top: "c" input_param { shape: { dim: [4, 5] } } }
layer < name: 'cat\\x41' type: "Con" "cat" bottom: "ip" bottom: "b" bottom: "c" top: "out" >
layer { name: "cat2" type: "Concat" bottom: "out" bottom: "ip" top: "out" ; param { lr_mult: 1 } , }
`);
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    expect(s.ops).toEqual({ Concat: 2, InnerProduct: 1, Input: 1, ReLU: 1 });
    expect(s.inputs.map((i) => [i.name, i.shape])).toEqual([
      ['a', [1, 2]],
      ['b', [3]],
    ]);
    expect(s.outputs.map((o) => o.name)).toEqual(['out#1']);
    const names = [...ir.nodeName].map((x) => str(ir, x));
    expect(names).toContain('catA');
    let c = -1;
    for (let v = 0; v < ir.valueCount; v++) if (str(ir, ir.valueName[v]) === 'c') c = v;
    expect(s.inputs.length).toBe(2);
    expect([...ir.valueShapeDims.subarray(ir.valueShapeOffsets[c], ir.valueShapeOffsets[c + 1])]).toEqual([4, 5]);
    expect(isAcyclicInOrder(ir)).toBe(true);
  });

  it('rejects malformed text with a DecodeError naming the file and line', async () => {
    const reject = async (text: string, pattern: RegExp) => {
      const err = await decodeText(text, 'bad.prototxt').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DecodeError);
      expect((err as DecodeError).describe()).toMatch(/^bad\.prototxt: /);
      expect((err as DecodeError).message).toMatch(pattern);
    };
    await reject('layer { name: "x"', /line 1: missing "}"/);
    await reject('layer {\n name: "x\n}', /line 2: unterminated string/);
    await reject('layer {\n name "x" }', /line 2: expected ":" or "\{" after "name"/);
    await reject('}', /line 1: expected a field name, found "}"/);
    await reject('name: "only a name"', /no "layer", "layers" or "input"/);
    await reject('input: "x"\ninput_shape { dim: -5 }', /dimension -5/);
    await reject('a { '.repeat(100_000), /nested more than 100/);
    await reject('layer { top: [ "a" "b" }', /expected "," or "]"/);
  });

  it('mutated prototxts decode to a valid IR or fail with a DecodeError', async () => {
    const seeds = [
      {
        label: 'squeezenet',
        bytes: new Uint8Array(readFileSync(resolve(models, 'SqueezeNet_deploy.prototxt'))),
        kind: 'text' as const,
      },
    ];
    const plan = new FuzzPlan(seeds, 150, 3, 40);
    for (let i = 0; i < plan.size; i++) {
      const c = plan.case(i);
      const r = await checkInput(caffeDecoder, c.bytes, 'fuzz.prototxt', { timeLimitMs: 2000, downstream: true });
      if (r.outcome === 'failure') throw new Error(`${c.label}: ${r.stage}: ${r.message}`);
    }
  });
});

// Binary caffemodel, written with protobufjs's Writer (field numbers from caffe.proto).
const { Writer } = protobuf;
type W = InstanceType<typeof Writer>;
const LEN = 2;
const key = (field: number, wire: number) => (field << 3) | wire;

function blob(w: W, field: number, dims: number[], values: number, legacy = false): void {
  w.uint32(key(field, LEN)).fork();
  if (legacy) {
    const [n, c, h, wd] = dims;
    w.uint32(key(1, 0)).int32(n).uint32(key(2, 0)).int32(c).uint32(key(3, 0)).int32(h).uint32(key(4, 0)).int32(wd);
  } else {
    w.uint32(key(7, LEN)).fork();
    w.uint32(key(1, LEN)).fork();
    for (const d of dims) w.int64(d);
    w.ldelim();
    w.ldelim();
  }
  w.uint32(key(5, LEN)).fork();
  for (let i = 0; i < values; i++) w.float(i * 0.5);
  w.ldelim();
  w.ldelim();
}

function caffemodel(opts: { convOut?: number } = {}): Uint8Array {
  const n = opts.convOut ?? 8;
  const w = Writer.create();
  w.uint32(key(1, LEN)).string('tiny');
  w.uint32(key(3, LEN)).string('data');
  for (const d of [1, 3, 8, 8]) w.uint32(key(4, 0)).int32(d);
  // layer 100: conv with two blobs and a convolution_param
  w.uint32(key(100, LEN)).fork();
  w.uint32(key(1, LEN)).string('conv1').uint32(key(2, LEN)).string('Convolution');
  w.uint32(key(3, LEN)).string('data').uint32(key(4, LEN)).string('conv1');
  blob(w, 7, [n, 3, 3, 3], n * 27);
  blob(w, 7, [n], n);
  w.uint32(key(106, LEN))
    .fork()
    .uint32(key(1, 0))
    .uint32(n)
    .uint32(key(4, 0))
    .uint32(3)
    .uint32(key(6, 0))
    .uint32(2)
    .uint32(key(2, 0))
    .bool(true)
    .ldelim();
  w.ldelim();
  w.uint32(key(100, LEN)).fork();
  w.uint32(key(1, LEN)).string('relu1').uint32(key(2, LEN)).string('ReLU');
  w.uint32(key(3, LEN)).string('conv1').uint32(key(4, LEN)).string('conv1');
  w.uint32(key(123, LEN)).fork().uint32(key(1, 5)).float(0.25).ldelim();
  w.ldelim();
  // A V1 layer (field 2): type as enum, name 4, bottom 2, top 3, blobs 6 in legacy 4-D form.
  w.uint32(key(2, LEN)).fork();
  w.uint32(key(4, LEN)).string('fc').uint32(key(5, 0)).uint32(14);
  w.uint32(key(2, LEN)).string('conv1').uint32(key(3, LEN)).string('fc');
  blob(w, 6, [1, 1, 10, n * 16], 10 * n * 16, true);
  w.ldelim();
  return w.finish();
}

describe('Caffe binary (.caffemodel)', () => {
  it('decodes layers, V1 layers, blob shapes and payload ranges', async () => {
    const bytes = caffemodel();
    expect(caffeDecoder.sniff(bytes.subarray(0, 4096), 'x.bin')).toBe(true);
    const source = new BufferSource(bytes, 'tiny.caffemodel');
    const model = await caffeDecoder.open(source);
    const ir = model.ir;
    expect(validateIR(ir, { fileSize: bytes.length })).toEqual([]);
    const s = summarize(ir);
    expect(s.ops).toEqual({ Convolution: 1, InnerProduct: 1, ReLU: 1 });
    expect(s.inputs).toEqual([{ name: 'data', type: 'float32', shape: [1, 3, 8, 8] }]);
    expect(s.initializers).toBe(3);
    expect(s.parameters).toBe(8 * 27 + 8 + 10 * 128);
    expect(s.outputs.map((o) => o.name)).toEqual(['fc']);
    expect(isAcyclicInOrder(ir)).toBe(true);
    // The first blob's payload is the packed floats 0, 0.5, 1, ...
    const w0 = [...ir.valueName].findIndex((x) => str(ir, x) === 'conv1.blobs.0');
    expect(ir.valueFlags[w0] & ValueFlag.Initializer).toBeTruthy();
    expect(ir.valueDataLength[w0]).toBe(8 * 27 * 4);
    const preview = await tensorPreview(source, ir, w0);
    expect(preview.values.slice(0, 3)).toEqual(['0', '0.500000', '1']);
    const conv = [...ir.nodeName].findIndex((x) => str(ir, x) === 'conv1');
    const details = await model.nodeDetails(conv);
    expect(Object.fromEntries(details.attributes.map((a) => [a.name, a.value]))).toMatchObject({
      'convolution_param.num_output': '8',
      'convolution_param.kernel_size': '3',
      'convolution_param.stride': '2',
      'convolution_param.bias_term': 'true',
    });
    const relu = await model.nodeDetails([...ir.nodeName].findIndex((x) => str(ir, x) === 'relu1'));
    expect(relu.attributes).toEqual([{ name: 'relu_param.negative_slope', type: 'float', value: '0.25' }]);
  });

  it('by ranges, blob payloads are stepped over, not read', async () => {
    const bytes = caffemodel({ convOut: 4096 });
    const source = new CountingSource(new BufferSource(bytes, 'big.caffemodel'));
    const net = await parseCaffemodel(source, {}, 0);
    const ir = buildCaffeGraph(net, 'caffe');
    expect(summarize(ir).parameters).toBe(4096 * 27 + 4096 + 10 * 4096 * 16);
    expect(bytes.length).toBeGreaterThan(3_000_000);
    // Window reads are 1 MiB, and the three payloads are 0.4, 0.016 and 2.6 MB: far less than the file is read.
    expect(source.bytesRead).toBeLessThan(bytes.length * 0.75);
    const whole = buildCaffeGraph(await parseCaffemodel(new BufferSource(bytes, 'big.caffemodel')), 'caffe');
    expect([...ir.valueDataOffset]).toEqual([...whole.valueDataOffset]);
  });

  it('truncated or corrupt binaries fail with a DecodeError naming the file', async () => {
    const bytes = caffemodel();
    for (const at of [1, 5, 30, bytes.length >> 1, bytes.length - 3]) {
      for (const limit of [undefined, 0]) {
        const err = await parseCaffemodel(new BufferSource(bytes.slice(0, at), 'cut.caffemodel'), {}, limit).catch(
          (e: unknown) => e,
        );
        expect(err, `cut at ${at}`).toBeInstanceOf(DecodeError);
        expect((err as DecodeError).describe()).toMatch(/^cut\.caffemodel: /);
      }
    }
    const err = await caffeDecoder
      .open(new BufferSource(new Uint8Array([0x0b, 0x01, 0x02]), 'junk.caffemodel'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecodeError);
    const seeds = [{ label: 'tiny', bytes, kind: 'protobuf' as const }];
    const plan = new FuzzPlan(seeds, 250, 9, 80);
    for (let i = 0; i < plan.size; i++) {
      const c = plan.case(i);
      const r = await checkInput(caffeDecoder, c.bytes, 'fuzz.caffemodel', { timeLimitMs: 2000, downstream: true });
      if (r.outcome === 'failure') throw new Error(`${c.label}: ${r.stage}: ${r.message}`);
    }
  });
});
