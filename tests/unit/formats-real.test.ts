import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenModel } from '../../src/decode/decoder.ts';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import {
  DTYPE_BITS,
  DataEncoding,
  MAIN_GRAPH,
  ValueFlag,
  nodeInputIds,
  str,
  valueElementCount,
  type GraphIR,
} from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { repoRoot, sharedModels } from '../helpers/models.ts';

/*
 * Real files made by each format's own tools (../shared/models, provenance in MANIFEST.md). Their layer counts are
 * checked against formats-reference.json (recomputed by ../shared/scripts/formats_reference.py, independent of
 * Strata); one weight per file is located and previewed against tests/helpers/real_weights.py, which reads each
 * format's layout with numpy.
 */

interface Reference {
  format: string;
  nodes: number;
  ops: Record<string, number>;
  inputs: string[];
  outputs: string[];
}

interface WeightReference {
  file: string;
  offset: number;
  length: number | null;
  values: number[];
}

interface Case {
  /** Key in formats-reference.json. */
  key: string;
  /** File Strata opens, relative to the models folder (the mlpackage opens through its model.mlmodel). */
  path: string;
  /** Layer types the decoder shows as constants or graph inputs/outputs instead of nodes. */
  notNodes: string[];
  /** Initializers Strata records. */
  initializers: number;
  /** Total parameters, when the file says (weights located, or shapes stored). */
  parameters?: number;
}

const CASES: Case[] = [
  {
    key: 'openvino/face-detection-retail-0005.xml',
    path: 'openvino/face-detection-retail-0005.xml',
    notNodes: ['Const', 'Parameter', 'Result'],
    initializers: 126,
    parameters: 1020781,
  },
  {
    key: 'openvino/bge-large-en-v1.5_openvino_tokenizer.xml',
    path: 'openvino/bge-large-en-v1.5_openvino_tokenizer.xml',
    notNodes: ['Const', 'Parameter', 'Result'],
    initializers: 26,
    parameters: 323353,
  },
  {
    key: 'coreml/TinyDrawingEmbedding.mlmodel',
    path: 'coreml/TinyDrawingEmbedding.mlmodel',
    notNodes: [],
    initializers: 8,
    parameters: 97152,
  },
  {
    key: 'coreml/superpoint.mlpackage',
    path: 'coreml/superpoint.mlpackage/Data/com.apple.CoreML/model.mlmodel',
    notNodes: ['const'],
    initializers: 107,
    parameters: 1301023,
  },
  {
    key: 'nnef/inception_v1.nnef/graph.nnef',
    path: 'nnef/inception_v1.nnef/graph.nnef',
    notNodes: ['external', 'variable'],
    initializers: 116,
    parameters: 6998552,
  },
  {
    key: 'nnef/conv3x3/graph.nnef',
    path: 'nnef/conv3x3/graph.nnef',
    notNodes: ['external', 'variable'],
    initializers: 2,
    parameters: 1168,
  },
  // 268 null nodes: 267 arrays stored in retinaface.params, and the input `data`.
  { key: 'mxnet/retinaface.json', path: 'mxnet/retinaface.json', notNodes: [], initializers: 267, parameters: 430004 },
  // 269 persistable variables, two of which are the feed and fetch holders.
  {
    key: 'paddle/tengine_test_data/inference.pdmodel',
    path: 'paddle/tengine_test_data/inference.pdmodel',
    notNodes: [],
    initializers: 267,
    parameters: 3540136,
  },
  // 23 resources in the .tnnmodel: 11 convolution filters (5×5 and 41×41) and 12 scalar Sub operands.
  {
    key: 'tnn/lp_model.opt.tnnproto',
    path: 'tnn/lp_model.opt.tnnproto',
    notNodes: [],
    initializers: 23,
    parameters: 11 * 0 + 5 * 25 + 6 * 1681 + 12,
  },
  { key: 'tnn/mobilenet_v2.tnnproto', path: 'tnn/mobilenet_v2.tnnproto', notNodes: [], initializers: 0, parameters: 0 },
  { key: 'barracuda/3DBall.nn', path: 'barracuda/3DBall.nn', notNodes: ['Load'], initializers: 32, parameters: 17963 },
  {
    key: 'barracuda/continuous2vis8vec2action.nn',
    path: 'barracuda/continuous2vis8vec2action.nn',
    notNodes: ['Load'],
    initializers: 34,
    parameters: 23293,
  },
];

const references: Record<string, Reference> = JSON.parse(
  readFileSync(resolve(sharedModels, 'formats-reference.json'), 'utf8'),
);
let weightReferences: Record<string, WeightReference> = {};
const opened = new Map<string, { model: OpenModel; format: string; source: NodeFileSource }>();

beforeAll(async () => {
  weightReferences = JSON.parse(
    execFileSync('/usr/bin/python3', [resolve(repoRoot, 'tests/helpers/real_weights.py'), sharedModels], {
      encoding: 'utf8',
      timeout: 120_000,
    }),
  );
  for (const c of CASES) {
    const source = await NodeFileSource.open(resolve(sharedModels, c.path));
    const { model, decoder } = await openModelFile(source);
    opened.set(c.key, { model, format: decoder.id, source });
  }
}, 120_000);

afterAll(async () => {
  for (const { source } of opened.values()) await source.close();
});

const get = (key: string) => opened.get(key)!;

/** Barracuda draws a standalone Activation layer as its function: fold those back into `Activation`. */
const BARRACUDA_FUNCTIONS = new Set([
  'Identity',
  'Relu',
  'Swish',
  'Exp',
  'Sqrt',
  'Elu',
  'Tanh',
  'Sigmoid',
  'Softmax',
  'LogSoftmax',
]);

function asLayerTypes(format: string, ops: Record<string, number>): Record<string, number> {
  if (format !== 'barracuda') return ops;
  const out: Record<string, number> = {};
  for (const [op, n] of Object.entries(ops)) {
    const type = BARRACUDA_FUNCTIONS.has(op) ? 'Activation' : op;
    out[type] = (out[type] ?? 0) + n;
  }
  return out;
}

function initializersOf(ir: GraphIR): number[] {
  const out: number[] = [];
  const start = ir.graphValueStart[MAIN_GRAPH];
  for (let v = start; v < start + ir.graphValueCount[MAIN_GRAPH]; v++)
    if (ir.valueFlags[v] & ValueFlag.Initializer) out.push(v);
  return out;
}

describe('real files of every format (../shared/models)', () => {
  for (const c of CASES) {
    describe(c.key, () => {
      it('layers and layerOps equal the reference; nodes and ops are those layers less the constants and I/O', () => {
        const ref = references[c.key];
        const { model, format } = get(c.key);
        const s = summarize(model.ir);
        expect(format).toBe(ref.format);
        expect(s.layers).toBe(ref.nodes);
        expect(s.layerOps).toEqual(ref.ops);
        const hidden = c.notNodes.reduce((sum, t) => sum + (ref.ops[t] ?? 0), 0);
        expect(s.nodes).toBe(ref.nodes - hidden);
        const shown = Object.fromEntries(Object.entries(ref.ops).filter(([t]) => !c.notNodes.includes(t)));
        expect(asLayerTypes(format, s.ops)).toEqual(shown);
      });

      it('decodes to a valid IR whose inputs and outputs are the reference ones, with consistent parameters', () => {
        const ref = references[c.key];
        const { model, source } = get(c.key);
        const ir = model.ir;
        expect(validateIR(ir, { fileSize: source.size })).toEqual([]);
        const s = summarize(ir);
        expect(s.inputs.map((t) => t.name).sort()).toEqual(ref.inputs.map((n) => n.split(' ')[0]).sort());
        // OpenVINO names an output by the Result layer; Strata shows the value the Result reads, named by its port.
        if (ref.format === 'openvino') expect(s.outputs.length).toBe(ref.outputs.length);
        else expect(s.outputs.map((t) => t.name).sort()).toEqual([...ref.outputs].sort());
        expect(s.initializers).toBe(c.initializers);
        if (c.parameters !== undefined) expect(s.parameters).toBe(c.parameters);
        // Every located raw payload holds exactly its elements (packed varints, as MIL stores inline ints, vary).
        for (const v of initializersOf(ir)) {
          if (ir.valueDataOffset[v] < 0 || ir.valueDataEncoding[v] !== DataEncoding.Raw) continue;
          const bits = DTYPE_BITS[ir.valueDtype[v]];
          const n = valueElementCount(ir, v);
          // OpenVINO stores an empty Const as one byte (the tokenizer's empty regex replacement).
          if (bits && n > 0) expect(ir.valueDataLength[v], str(ir, ir.valueName[v])).toBe((n * bits) / 8);
        }
      });
    });
  }
});

describe('weights are located where each file keeps them, and a preview reads their bytes', () => {
  const located: [string, string][] = [
    ['openvino/face-detection-retail-0005.xml', 'openvino'],
    ['openvino/bge-large-en-v1.5_openvino_tokenizer.xml', 'openvino'],
    ['coreml/superpoint.mlpackage', 'coreml/superpoint.mlpackage/Data/com.apple.CoreML'],
    ['mxnet/retinaface.json', 'mxnet'],
    ['nnef/conv3x3/graph.nnef', 'nnef/conv3x3'],
    ['tnn/lp_model.opt.tnnproto', 'tnn'],
    ['barracuda/3DBall.nn', 'barracuda'],
    ['barracuda/continuous2vis8vec2action.nn', 'barracuda'],
  ];
  for (const [key, folder] of located) {
    it(`${key}: ${'the weight at the reference offset'}`, async () => {
      const want = weightReferences[key];
      const { model, source } = get(key);
      const ir = model.ir;
      const inOwnFile = resolve(sharedModels, folder, want.file) === resolve(source.path);
      const v = initializersOf(ir).find(
        (x) =>
          ir.valueDataOffset[x] === want.offset &&
          (inOwnFile ? !(ir.valueFlags[x] & ValueFlag.External) : str(ir, ir.valueLocation[x]) === want.file),
      );
      expect(v, `no weight at ${want.file}@${want.offset}`).toBeDefined();
      if (want.length !== null) expect(ir.valueDataLength[v!]).toBe(want.length);
      const preview = await tensorPreview(source, ir, v!);
      // A tensor smaller than four elements compares the elements it has.
      const shown = preview.values.slice(0, 4).map(Number);
      expect(shown.length).toBeGreaterThan(0);
      expect(shown).toEqual(want.values.slice(0, shown.length).map((x) => Number(x.toPrecision(6))));
    });
  }

  it('every OpenVINO Const lies inside the .bin beside the .xml', () => {
    for (const key of [
      'openvino/face-detection-retail-0005.xml',
      'openvino/bge-large-en-v1.5_openvino_tokenizer.xml',
    ]) {
      const ir = get(key).model.ir;
      const binSize = statSync(resolve(sharedModels, key.replace(/\.xml$/, '.bin'))).size;
      let end = 0;
      for (const v of initializersOf(ir)) end = Math.max(end, ir.valueDataOffset[v] + ir.valueDataLength[v]);
      // formats-reference.json: the highest offset + size referenced is exactly the .bin's size.
      expect(end).toBe(binSize);
    }
  });

  it('every MXNet parameter is located in retinaface.params; only `data` is an input', () => {
    const ir = get('mxnet/retinaface.json').model.ir;
    const inits = initializersOf(ir);
    expect(inits.every((v) => str(ir, ir.valueLocation[v]) === 'retinaface.params' && ir.valueDataLength[v] > 0)).toBe(
      true,
    );
    expect(ir.metadata.weights).toBe('267 parameters, 267 located in retinaface.params');
  });

  it('TNN: the v2 .tnnmodel buffers become inputs of their layers; the v1 model without one says so', () => {
    const ir = get('tnn/lp_model.opt.tnnproto').model.ir;
    const conv = [...Array(ir.nodeCount).keys()].find((n) => str(ir, ir.nodeName[n]) === 'Conv_13')!;
    expect([...nodeInputIds(ir, conv)].map((v) => str(ir, ir.valueName[v]))).toContain('Conv_13.filter');
    expect(ir.metadata.weights).toBe('23 layer resources located in lp_model.opt.tnnmodel');
    expect(get('tnn/mobilenet_v2.tnnproto').model.ir.metadata.weights).toBe(
      'mobilenet_v2.tnnmodel not found beside the .tnnproto',
    );
  });

  it('Core ML TinyDrawingEmbedding: an inline weight previews the floats stored at its range', async () => {
    const { model, source } = get('coreml/TinyDrawingEmbedding.mlmodel');
    const ir = model.ir;
    const v = initializersOf(ir).find((x) => ir.valueDataOffset[x] >= 0 && ir.valueDataLength[x] >= 16)!;
    const bytes = readFileSync(source.path).subarray(ir.valueDataOffset[v], ir.valueDataOffset[v] + 16);
    const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 16));
    const preview = await tensorPreview(source, ir, v);
    expect(preview.values.slice(0, 4).map(Number)).toEqual([...floats].map((x) => Number(x.toPrecision(6))));
  });
});

describe('what the real files exposed', () => {
  it('OpenVINO tokenizer: custom string ops are nodes with their inputs, outputs and attributes', async () => {
    const { model } = get('openvino/bge-large-en-v1.5_openvino_tokenizer.xml');
    const ir = model.ir;
    const custom = new Set([
      'StringTensorUnpack',
      'RegexNormalization',
      'NormalizeUnicode',
      'CaseFold',
      'RegexSplit',
      'WordpieceTokenizer',
      'CombineSegments',
      'RaggedToDense',
    ]);
    let seen = 0;
    for (let n = 0; n < ir.nodeCount; n++) {
      if (!custom.has(str(ir, ir.nodeOp[n]))) continue;
      seen++;
      expect(nodeInputIds(ir, n).length, str(ir, ir.nodeName[n])).toBeGreaterThan(0);
      expect([...nodeInputIds(ir, n)].every((v) => v >= 0)).toBe(true);
      const details = await model.nodeDetails(n);
      expect(details.attributes.find((a) => a.name === 'version')?.value).toBe('extension');
    }
    expect(seen).toBe(12);
    const split = [...Array(ir.nodeCount).keys()].find((n) => str(ir, ir.nodeName[n]) === 'RegexSplit_94')!;
    expect((await model.nodeDetails(split)).attributes).toEqual(
      expect.arrayContaining([{ name: 'behaviour', type: 'string', value: 'isolate' }]),
    );
  });

  it('Barracuda: an Activation layer is drawn as its function and its details name both', async () => {
    const { model } = get('barracuda/3DBall.nn');
    const ir = model.ir;
    const ops = summarize(ir).ops;
    expect(ops).toMatchObject({ Swish: 2, Exp: 1, Sqrt: 1, Identity: 2 });
    expect(ops).not.toHaveProperty('None');
    const swish = [...Array(ir.nodeCount).keys()].find((n) => str(ir, ir.nodeOp[n]) === 'Swish')!;
    expect((await model.nodeDetails(swish)).attributes.slice(0, 2)).toEqual([
      { name: 'layer', type: 'enum', value: 'Activation' },
      { name: 'activation', type: 'enum', value: 'Swish' },
    ]);
  });

  it('the mlpackage finds weights/weight.bin beside model.mlmodel', () => {
    const ir = get('coreml/superpoint.mlpackage').model.ir;
    const inits = initializersOf(ir);
    // Tensors of the conv layers are blob entries; small immediate values (pads, strides) stay in the MIL text.
    const inBlob = inits.filter((v) => str(ir, ir.valueLocation[v]) === 'weights/weight.bin');
    expect(inBlob.length).toBe(24);
    expect(ir.metadata.weights).toBe('located in weight.bin');
    const blobSize = statSync(
      resolve(sharedModels, 'coreml/superpoint.mlpackage/Data/com.apple.CoreML/weights/weight.bin'),
    ).size;
    for (const v of inBlob) expect(ir.valueDataOffset[v] + ir.valueDataLength[v]).toBeLessThanOrEqual(blobSize);
    expect(dirname(get('coreml/superpoint.mlpackage').source.path)).toMatch(/com\.apple\.CoreML$/);
  });
});

describe('damaged companion files leave the graph intact', () => {
  const read = (path: string) => new Uint8Array(readFileSync(resolve(sharedModels, path)));

  it('a truncated or foreign retinaface.params: every truncation decodes the symbol, weights unlocated', async () => {
    const symbol = read('mxnet/retinaface.json');
    const params = read('mxnet/retinaface.params');
    for (const cut of [0, 10, 24, 60, 1000, params.length - 5]) {
      const source = new BufferSource(
        symbol,
        'retinaface.json',
        new Map([['retinaface.params', params.subarray(0, cut)]]),
      );
      const { model } = await openModelFile(source);
      expect(summarize(model.ir).layers).toBe(157);
      expect(model.ir.metadata.weights).toMatch(/^267 parameters named; retinaface.params could not be read/);
    }
  });

  it('a truncated or scrambled .tnnmodel: the .tnnproto decodes, buffers found so far are kept in range', async () => {
    const proto = read('tnn/lp_model.opt.tnnproto');
    const weights = read('tnn/lp_model.opt.tnnmodel');
    const scrambled = weights.slice();
    for (let i = 0; i < scrambled.length; i += 7) scrambled[i] ^= 0x5a;
    for (const bytes of [
      weights.subarray(0, 8),
      weights.subarray(0, 900),
      weights.subarray(0, weights.length - 3),
      scrambled,
    ]) {
      const source = new BufferSource(proto, 'lp_model.opt.tnnproto', new Map([['lp_model.opt.tnnmodel', bytes]]));
      const { model } = await openModelFile(source);
      expect(summarize(model.ir).layers).toBe(113);
      expect(validateIR(model.ir)).toEqual([]);
      for (const v of initializersOf(model.ir))
        expect(model.ir.valueDataOffset[v] + model.ir.valueDataLength[v]).toBeLessThanOrEqual(bytes.length);
    }
  });
});
