import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { nnefDecoder } from '../../src/decode/nnef/index.ts';
import { decoders } from '../../src/decode/registry.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { nodeInputIds, nodeOutputIds, str, type GraphIR } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { repoRoot } from '../helpers/models.ts';

/* No NNEF model ships in a Debian or npm package reachable here: tests/fixtures/nnef/graph.nnef is hand-written in
 * the flat syntax of the NNEF 1.0 spec; the one .dat file (128-byte header + data) is made here. */
const text = readFileSync(resolve(repoRoot, 'tests/fixtures/nnef/graph.nnef'), 'utf8');
const bytes = new TextEncoder().encode(text);
const nodeNamed = (ir: GraphIR, name: string) => {
  for (let n = 0; n < ir.nodeCount; n++) if (str(ir, ir.nodeName[n]) === name) return n;
  throw new Error(`no node ${name}`);
};
const names = (ir: GraphIR, ids: ArrayLike<number>) => Array.from(ids, (v) => str(ir, ir.valueName[v]));

/** An NNEF tensor file: magic 4E EF, version 1.0, data length, rank, dims, 32 bits per item, item type 0 (float). */
function datFile(dims: number[], values: number[]): Uint8Array {
  const out = new Uint8Array(128 + values.length * 4);
  const dv = new DataView(out.buffer);
  out.set([0x4e, 0xef, 1, 0]);
  dv.setUint32(4, values.length * 4, true);
  dv.setUint32(8, dims.length, true);
  dims.forEach((d, i) => dv.setUint32(12 + 4 * i, d, true));
  dv.setUint32(44, 32, true);
  dv.setUint32(48, 0, true);
  new Float32Array(out.buffer, 128).set(values);
  return out;
}

describe('NNEF graph.nnef', () => {
  it('is claimed by the nnef decoder only', () => {
    for (const name of ['graph.nnef', 'model.txt'])
      expect(decoders.filter((d) => d.sniff(bytes, name)).map((d) => d.id)).toEqual(['nnef']);
  });

  it('one node per invocation; external = inputs, variable = constants with their .dat payloads', async () => {
    const bias = datFile([1, 8], [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
    const source = new BufferSource(bytes, 'graph.nnef', new Map([['conv1/bias.dat', bias]]));
    const model = await nnefDecoder.open(source);
    const ir = model.ir;
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    expect(s.nodes).toBe(8);
    expect(s.ops).toEqual({ add: 1, conv: 1, matmul: 1, max_pool: 1, relu: 1, reshape: 1, softmax: 1, split: 1 });
    expect(s.initializers).toBe(3);
    expect(s.parameters).toBe(216 + 8 + 2560);
    expect(s.inputs).toEqual([{ name: 'input', type: 'float32', shape: [1, 3, 16, 16] }]);
    expect(s.outputs.map((o) => o.name)).toEqual(['output']);
    expect(names(ir, nodeOutputIds(ir, nodeNamed(ir, 'left')))).toEqual(['left', 'right']);
    expect(names(ir, nodeInputIds(ir, nodeNamed(ir, 'conv1')))).toEqual(['input', 'kernel1', 'bias1']);
    const b1 = nodeInputIds(ir, nodeNamed(ir, 'conv1'))[2];
    expect([ir.valueDataOffset[b1], ir.valueDataLength[b1], str(ir, ir.valueLocation[b1])]).toEqual([
      128,
      32,
      'conv1/bias.dat',
    ]);
    expect((await tensorPreview(source, ir, b1)).values.slice(0, 3)).toEqual(['0.500000', '1', '1.50000']);
    expect(ir.metadata.weights).toBe('1 .dat files found beside the graph');
    const details = await model.nodeDetails(nodeNamed(ir, 'pool1'));
    expect(Object.fromEntries(details.attributes.map((a) => [a.name, a.value]))).toMatchObject({
      size: '[1, 1, 2, 2]',
      border: "'ignore'",
    });
  });

  it('truncated and inconsistent graphs fail with a DecodeError naming the line', async () => {
    await expect(nnefDecoder.open(new BufferSource(bytes.subarray(0, 700), 'cut.nnef'))).rejects.toThrow(DecodeError);
    const undefinedUse = text.replace('merged = add(left, right);', 'merged = add(left, nothing);');
    await expect(nnefDecoder.open(new BufferSource(new TextEncoder().encode(undefinedUse), 'x.nnef'))).rejects.toThrow(
      /line 16: "nothing" is used before it is defined/,
    );
    const twice = text.replace('relu1 = relu(conv1);', 'conv1 = relu(conv1);');
    await expect(nnefDecoder.open(new BufferSource(new TextEncoder().encode(twice), 'x.nnef'))).rejects.toThrow(
      /assigned twice/,
    );
  });
});
