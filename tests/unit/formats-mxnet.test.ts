import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { mxnetDecoder } from '../../src/decode/mxnet/index.ts';
import { decoders } from '../../src/decode/registry.ts';
import { nodeInputIds, nodeOutputIds, str, type GraphIR } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { repoRoot } from '../helpers/models.ts';

/* No MXNet model ships in a Debian or npm package reachable here: tests/fixtures/mxnet/tiny_resnet-symbol.json is
 * hand-written in the layout MXNet 1.x `sym.save` writes (nodes / arg_nodes / node_row_ptr / heads / attrs). */
const text = readFileSync(resolve(repoRoot, 'tests/fixtures/mxnet/tiny_resnet-symbol.json'), 'utf8');
const bytes = new TextEncoder().encode(text);
const nodeNamed = (ir: GraphIR, name: string) => {
  for (let n = 0; n < ir.nodeCount; n++) if (str(ir, ir.nodeName[n]) === name) return n;
  throw new Error(`no node ${name}`);
};
const names = (ir: GraphIR, ids: ArrayLike<number>) => Array.from(ids, (v) => str(ir, ir.valueName[v]));

describe('MXNet symbol JSON', () => {
  it('is claimed by the mxnet decoder only', () => {
    for (const name of ['tiny_resnet-symbol.json', 'model.json'])
      expect(decoders.filter((d) => d.sniff(bytes, name)).map((d) => d.id)).toEqual(['mxnet']);
  });

  it('operator nodes, weights as constants, data and labels as inputs, heads as outputs', async () => {
    const source = new BufferSource(bytes, 'tiny_resnet-symbol.json');
    const model = await mxnetDecoder.open(source);
    const ir = model.ir;
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    expect(s.nodes).toBe(9);
    expect(s.ops).toEqual({
      Activation: 1,
      BatchNorm: 1,
      Convolution: 1,
      Flatten: 1,
      FullyConnected: 1,
      Pooling: 1,
      SliceChannel: 1,
      SoftmaxOutput: 1,
      elemwise_add: 1,
    });
    expect(s.initializers).toBe(7);
    expect(s.parameters).toBe(432 + 16 * 4 + 80 + 10);
    expect(s.inputs.map((i) => i.name)).toEqual(['data', 'softmax_label']);
    expect(s.outputs.map((o) => o.name)).toEqual(['softmax']);
    expect(ir.metadata.mxnet_version).toBe('10900');
    expect(names(ir, nodeOutputIds(ir, nodeNamed(ir, 'split0')))).toEqual(['split0', 'split0:1']);
    expect(names(ir, nodeInputIds(ir, nodeNamed(ir, 'add0')))).toEqual(['split0', 'split0:1']);
    const details = await model.nodeDetails(nodeNamed(ir, 'conv0'));
    expect(Object.fromEntries(details.attributes.map((a) => [a.name, a.value]))).toMatchObject({
      kernel: '(3, 3)',
      num_filter: '16',
    });
  });

  it('broken files fail with a DecodeError', async () => {
    await expect(mxnetDecoder.open(new BufferSource(bytes.subarray(0, 500), 'cut-symbol.json'))).rejects.toThrow(
      /not valid JSON/,
    );
    const forward = text.replace('"inputs": [[15, 0, 0], [16, 0, 0]]', '"inputs": [[17, 0, 0]]');
    await expect(
      mxnetDecoder.open(new BufferSource(new TextEncoder().encode(forward), 'x-symbol.json')),
    ).rejects.toThrow(/not an earlier node/);
    await expect(
      mxnetDecoder.open(new BufferSource(new TextEncoder().encode('{"nodes": 3}'), 'x-symbol.json')),
    ).rejects.toThrow(DecodeError);
  });
});
