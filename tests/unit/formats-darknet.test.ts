import { readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { darknetDecoder } from '../../src/decode/darknet/index.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { ValueFlag, nodeInputIds, str, valueShape, type GraphIR } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { checkInput } from '../fuzz/check.ts';
import { FuzzPlan } from '../fuzz/mutate.ts';

const here = dirname(fileURLToPath(import.meta.url));
const models = resolve(here, '../../../shared/models/darknet');
const cfgs = readdirSync(models)
  .filter((f) => f.endsWith('.cfg'))
  .sort();

/** Independent count: section headers in the text, by a line regex (not the decoder's parser). */
function countSections(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^\s*\[([A-Za-z_]+)\]/gm)) {
    const t = m[1].toLowerCase();
    if (t === 'net' || t === 'network') continue;
    counts[t] = (counts[t] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort((a, b) => a[0].localeCompare(b[0])));
}

async function decodeBytes(
  text: string | Uint8Array,
  name = 'test.cfg',
  siblings?: Map<string, Uint8Array>,
): Promise<GraphIR> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return (await darknetDecoder.open(new BufferSource(bytes, name, siblings))).ir;
}

function outputShape(ir: GraphIR, node: number) {
  return valueShape(ir, ir.nodeOutputs[ir.nodeOutputOffsets[node]]);
}

const nodeByName = (ir: GraphIR, name: string) => [...ir.nodeName].findIndex((s) => str(ir, s) === name);

describe('Darknet decoder on the real .cfg files', () => {
  it('finds all five files', () =>
    expect(cfgs).toEqual(['darknet53.cfg', 'resnet152.cfg', 'tiny.cfg', 'yolov3-spp.cfg', 'yolov3-tiny.cfg']));

  for (const name of cfgs) {
    it(`${name}: one node per layer section, op histogram from the text`, async () => {
      const path = resolve(models, name);
      const text = readFileSync(path, 'utf8');
      const source = await NodeFileSource.open(path);
      try {
        expect(darknetDecoder.sniff(new Uint8Array(readFileSync(path).subarray(0, 4096)), name)).toBe(true);
        const model = await darknetDecoder.open(source);
        const ir = model.ir;
        expect(validateIR(ir, { fileSize: source.size })).toEqual([]);
        const s = summarize(ir);
        const want = countSections(text);
        expect(s.ops).toEqual(want);
        expect(s.nodes).toBe(Object.values(want).reduce((a, b) => a + b, 0));
        expect(s.inputs.map((i) => i.name)).toEqual(['data']);
        // Every edge goes forward: a value is only read by later layers.
        for (let n = 0; n < ir.nodeCount; n++) {
          for (const v of nodeInputIds(ir, n))
            if (ir.valueProducer[v] >= 0) expect(ir.valueProducer[v]).toBeLessThan(n);
        }
        const details = await model.nodeDetails(0);
        expect(details.attributes.length).toBeGreaterThan(0);
      } finally {
        await source.close();
      }
    });
  }

  it('yolov3-tiny: shapes, route edges, detection heads as outputs, parameter count', async () => {
    const path = resolve(models, 'yolov3-tiny.cfg');
    const source = await NodeFileSource.open(path);
    const model = await darknetDecoder.open(source);
    const ir = model.ir;
    await source.close();
    const s = summarize(ir);
    expect(s.nodes).toBe(24);
    expect(s.ops).toEqual({ convolutional: 13, maxpool: 6, route: 2, upsample: 1, yolo: 2 });
    expect(s.inputs[0].shape).toEqual(['batch', 3, 416, 416]);
    expect(s.outputs.map((o) => [o.name, o.shape])).toEqual([
      ['yolo_16', ['batch', 255, 13, 13]],
      ['yolo_23', ['batch', 255, 26, 26]],
    ]);
    // maxpool size=2 stride=1 keeps 13×13 (darknet pads by size-1).
    expect(outputShape(ir, nodeByName(ir, 'maxpool_11'))).toEqual(['batch', 512, 13, 13]);
    // route layers=-1,8: upsampled 128 channels + layer 8's 256.
    const route = nodeByName(ir, 'route_20');
    expect([...nodeInputIds(ir, route)].map((v) => str(ir, ir.valueName[v]))).toEqual([
      'upsample_19',
      'convolutional_8',
    ]);
    expect(outputShape(ir, route)).toEqual(['batch', 384, 26, 26]);
    // Known parameter count of YOLOv3-tiny (COCO, 80 classes).
    expect(s.parameters).toBe(8858734);
  });

  it('yolov3-spp and darknet53: shortcut edges, SPP route, published sizes', async () => {
    const spp = await decodeBytes(readFileSync(resolve(models, 'yolov3-spp.cfg')), 'yolov3-spp.cfg');
    const s = summarize(spp);
    expect(s.nodes).toBe(114);
    expect(s.outputs.map((o) => o.shape)).toEqual([
      ['batch', 255, 19, 19],
      ['batch', 255, 38, 38],
      ['batch', 255, 76, 76],
    ]);
    const shortcut = [...spp.nodeOp].findIndex((op) => str(spp, op) === 'shortcut');
    expect(nodeInputIds(spp, shortcut).length).toBe(2);
    const d53 = summarize(await decodeBytes(readFileSync(resolve(models, 'darknet53.cfg')), 'darknet53.cfg'));
    expect(d53.outputs.map((o) => o.shape)).toEqual([['batch', 1000, 1, 1]]);
    expect(d53.parameters).toBe(41645640);
  });
});

describe('Darknet decoder on written cfgs', () => {
  const small = `# comment
[net]
width=8
height=8
channels=3

[convolutional]
batch_normalize=1
filters=4
size=3
stride=2
pad=1
activation=leaky

[maxpool]
size=2
stride=2

[route]
layers = -1, 0

[connected]
output=5

[softmax]
`;

  it('computes shapes, and places weights in a sibling .weights file', async () => {
    // Header 0.2.0 with a 64-bit "seen", then conv (biases 4, bn 3×4, weights 4·3·3·3), connected (5, 5·(8·2·2)... ).
    const conv = 4 + 12 + 4 * 3 * 3 * 3;
    const routeC = 4 + 4;
    const connected = 5 + 5 * routeC * 2 * 2;
    const header = 20;
    const weights = new Uint8Array(header + 4 * (conv + connected));
    new DataView(weights.buffer).setInt32(0, 0, true);
    new DataView(weights.buffer).setInt32(4, 2, true);
    const ir = await decodeBytes(small, 'small.cfg', new Map([['small.weights', weights]]));
    expect(validateIR(ir)).toEqual([]);
    expect(outputShape(ir, nodeByName(ir, 'convolutional_0'))).toEqual(['batch', 4, 4, 4]);
    expect(outputShape(ir, nodeByName(ir, 'maxpool_1'))).toEqual(['batch', 4, 2, 2]);
    // Route concatenates layer 1 (4×2×2) with layer 0 (4×4×4): sizes differ, darknet takes the first's.
    expect(outputShape(ir, nodeByName(ir, 'route_2'))).toEqual(['batch', 8, 2, 2]);
    expect(outputShape(ir, nodeByName(ir, 'connected_3'))).toEqual(['batch', 5]);
    const s = summarize(ir);
    expect(s.parameters).toBe(conv + connected);
    expect(s.outputs.map((o) => o.name)).toEqual(['softmax_4']);
    expect(ir.metadata.weightsBytesUsed).toBe(String(weights.length));
    let expected = header;
    for (const n of ['biases', 'scales', 'rolling_mean', 'rolling_variance', 'weights']) {
      const v = [...ir.valueName].findIndex((x) => str(ir, x) === `convolutional_0.${n}`);
      expect(ir.valueFlags[v] & (ValueFlag.Initializer | ValueFlag.External)).toBe(
        ValueFlag.Initializer | ValueFlag.External,
      );
      expect(ir.valueDataOffset[v]).toBe(expected);
      expected += ir.valueDataLength[v];
    }
    // Without the weights file: same shapes, no data ranges.
    const bare = await decodeBytes(small, 'small.cfg');
    expect(summarize(bare).parameters).toBe(conv + connected);
    expect([...bare.valueDataOffset].every((o) => o === -1)).toBe(true);
  });

  it('rejects what is not a cfg, and bad layer references, with a DecodeError naming the file and line', async () => {
    const reject = async (text: string | Uint8Array, pattern: RegExp) => {
      const err = await decodeBytes(text, 'bad.cfg').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DecodeError);
      expect((err as DecodeError).describe()).toMatch(/^bad\.cfg: /);
      expect((err as DecodeError).message).toMatch(pattern);
    };
    await reject('', /no \[net\]/);
    await reject('width=3\n[net]\n', /before any \[section\]/);
    await reject('[convolutional]\nfilters=3\n', /first section is \[convolutional\]/);
    await reject(new Uint8Array([0, 1, 2, 3, 0xff, 0xfe, 10, 11]), /before any \[section\]/);
    await reject(small.replace('layers = -1, 0', 'layers = -1, 7'), /line 19: layers= refers to layer 7/);
    await reject(small.replace('layers = -1, 0', 'layers = -9'), /refers to layer -7/);
    await reject(small.replace('layers = -1, 0', 'layers = a'), /not a layer index/);
    await reject(small.replace('layers = -1, 0', 'layers ='), /lists no layers/);
    await reject(small.replace('[maxpool]', '[]'), /malformed section header/);
    expect(darknetDecoder.sniff(new TextEncoder().encode('[convolutional]\n'), 'x.cfg')).toBe(false);
    expect(darknetDecoder.sniff(new TextEncoder().encode('# c\n; d\n\n[network]\n'), 'x')).toBe(true);
  });

  it('mutated cfgs decode to a valid IR or fail with a DecodeError', async () => {
    const seeds = [
      { label: 'small', bytes: new TextEncoder().encode(small), kind: 'text' as const },
      {
        label: 'yolov3-tiny',
        bytes: new Uint8Array(readFileSync(resolve(models, 'yolov3-tiny.cfg'))),
        kind: 'text' as const,
      },
    ];
    const plan = new FuzzPlan(seeds, 150, 5, 40);
    for (let i = 0; i < plan.size; i++) {
      const c = plan.case(i);
      const r = await checkInput(darknetDecoder, c.bytes, 'fuzz.cfg', { timeLimitMs: 2000, downstream: true });
      if (r.outcome === 'failure') throw new Error(`${c.label}: ${r.stage}: ${r.message}`);
    }
  });
});
