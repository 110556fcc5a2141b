import { describe, expect, it } from 'vitest';
import type { OpenModel } from '../../src/decode/decoder.ts';
import { barracudaDecoder } from '../../src/decode/barracuda/index.ts';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { decoders, openModelFile } from '../../src/decode/registry.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { nodeInputIds, str, valueShape, type GraphIR } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { tinyBarracudaModel, writeBarracuda } from '../helpers/barracuda-writer.ts';

/* No Barracuda model ships in a Debian or npm package reachable here (Unity's registry is not reachable): the files
 * are written by tests/helpers/barracuda-writer.ts in the layout of Barracuda's ModelWriter, versions 16 to 19. */

const named = (ir: GraphIR, name: string, kind: 'node' | 'value') => {
  const count = kind === 'node' ? ir.nodeCount : ir.valueCount;
  const names = kind === 'node' ? ir.nodeName : ir.valueName;
  for (let i = 0; i < count; i++) if (str(ir, names[i]) === name) return i;
  throw new Error(`no ${kind} ${name}`);
};

describe('Unity Barracuda .nn', () => {
  for (const version of [16, 17, 18, 19] as const) {
    it(`version ${version}: layers as nodes, Load layers as constants, datasets located in the weight block`, async () => {
      const bytes = tinyBarracudaModel(version);
      const source = new BufferSource(bytes, 'tiny.nn');
      expect(decoders.filter((d) => d.sniff(bytes, 'tiny.nn')).map((d) => d.id)).toEqual(['barracuda']);
      const { model, decoder } = await openModelFile(source);
      const { ir } = model;
      expect(decoder.id).toBe('barracuda');
      expect(validateIR(ir, { fileSize: bytes.length })).toEqual([]);
      const s = summarize(ir);
      expect(s.ops).toEqual({ Add: 1, Conv2D: 1, Dense: 1, Flatten: 1, MaxPool2D: 1, Softmax: 1 });
      expect(s.initializers).toBe(5);
      expect(s.parameters).toBe(36 + 4 + 4 + 640 + 10);
      expect(s.inputs).toEqual([{ name: 'image', type: 'float32', shape: [-1, 8, 8, 1] }]);
      expect(s.outputs.map((o) => o.name)).toEqual(['probs']);
      expect(ir.metadata).toMatchObject({ version: String(version), producer: 'pytorch', source: 'ONNX' });
      const add = named(ir, 'shifted', 'node');
      expect(Array.from(nodeInputIds(ir, add), (v) => str(ir, ir.valueName[v]))).toEqual(['pool1', 'offset']);
      const w = named(ir, 'fc/W', 'value');
      expect(valueShape(ir, w)).toEqual([64, 1, 1, 10]);
      expect((await tensorPreview(source, ir, w)).values.slice(0, 3)).toEqual(['0', '0.0100000', '0.0200000']);
      expect((await tensorPreview(source, ir, named(ir, 'conv1/B', 'value'))).values).toEqual([
        '0.250000',
        '-0.250000',
        '1',
        '2',
      ]);
      const details = await model.nodeDetails(named(ir, 'conv1', 'node'));
      expect(details.attributes.map((a) => `${a.name}=${a.value}`)).toEqual([
        'activation=Relu',
        'pad=[1, 1, 1, 1]',
        'stride=[1, 1]',
      ]);
    });
  }

  it('keeps non-ASCII names whose .NET char count differs from their UTF-8 byte count', async () => {
    const bytes = writeBarracuda({
      version: 19,
      inputs: [{ name: 'entrée', shape: [1, 1, 1, 1, 1, 1, 1, 4] }],
      outputs: ['🙂out'],
      layers: [{ name: '🙂out', type: 50, activation: 1, inputs: ['entrée'] }],
    });
    const model = await barracudaDecoder.open(new BufferSource(bytes, 'utf8.nn'));
    const ir = model.ir;
    expect(summarize(ir).inputs[0].name).toBe('entrée');
    expect(summarize(ir).outputs[0].name).toBe('🙂out');
  });

  it('rejects unknown versions, truncation and counts that cannot fit, naming the section', async () => {
    const bytes = tinyBarracudaModel(19);
    const wrong = bytes.slice();
    wrong[0] = 42;
    await expect(barracudaDecoder.open(new BufferSource(wrong, 'v42.nn'))).rejects.toThrow(
      /version 42 is not supported/,
    );
    for (const cut of [4, 12, 40, 200, bytes.length >> 1]) {
      const err = await barracudaDecoder
        .open(new BufferSource(bytes.subarray(0, cut), 'cut.nn'))
        .catch((e: unknown) => e);
      // Cut inside the weight block, the graph still decodes but nothing is located past the end.
      if (!(err instanceof DecodeError)) {
        const { ir } = err as OpenModel;
        expect(ir.metadata.weights).toMatch(/does not fit/);
      }
    }
    const huge = bytes.slice();
    new DataView(huge.buffer).setInt32(8, 0x7fffffff, true);
    await expect(barracudaDecoder.open(new BufferSource(huge, 'huge.nn'))).rejects.toThrow(
      /input count .* does not fit/,
    );
  });
});
