import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { ncnnDecoder } from '../../src/decode/ncnn/index.ts';
import { decoders } from '../../src/decode/registry.ts';
import { nodeInputIds, str, type GraphIR } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { repoRoot } from '../helpers/models.ts';

/* No ncnn model ships in a Debian or npm package reachable here: tests/fixtures/ncnn/tiny_fire.param is hand-written
 * (a SqueezeNet-style fire module, in the layout ncnn's converters write). */
const text = readFileSync(resolve(repoRoot, 'tests/fixtures/ncnn/tiny_fire.param'), 'utf8');
const bytes = new TextEncoder().encode(text);
const nodeNamed = (ir: GraphIR, name: string) => {
  for (let n = 0; n < ir.nodeCount; n++) if (str(ir, ir.nodeName[n]) === name) return n;
  throw new Error(`no node ${name}`);
};

describe('ncnn .param', () => {
  it('is claimed by the ncnn decoder only', () => {
    for (const name of ['tiny_fire.param', 'model.txt']) expect(decoders.filter((d) => d.sniff(bytes, name)).map((d) => d.id)).toEqual(['ncnn']);
  });

  it('one node per layer line, blobs as edges, Input blobs as inputs, unread blobs as outputs', async () => {
    const source = new BufferSource(bytes, 'tiny_fire.param');
    const ir = await ncnnDecoder.decode(source);
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    expect(s.nodes).toBe(13);
    expect(s.ops).toEqual({ Concat: 1, Convolution: 3, InnerProduct: 1, Input: 1, Pooling: 1, ReLU: 3, Reshape: 1, Softmax: 1, Split: 1 });
    expect(s.inputs).toEqual([{ name: 'data', type: 'float32', shape: [3, 32, 32] }]);
    expect(s.outputs.map((o) => o.name)).toEqual(['prob']);
    expect(ir.metadata).toMatchObject({ layers: '13', blobs: '14' });
    expect(Array.from(nodeInputIds(ir, nodeNamed(ir, 'fire/concat')), (v) => str(ir, ir.valueName[v]))).toEqual(['fire/e1_relu', 'fire/e3_relu']);
    const details = await ncnnDecoder.nodeDetails!(source, ir, nodeNamed(ir, 'conv1'));
    expect(details.attributes.map((a) => `${a.name}=${a.value}`)).toEqual(['0=16', '1=3', '2=1', '3=2', '4=1', '5=1', '6=432']);
    const reshape = await ncnnDecoder.nodeDetails!(source, ir, nodeNamed(ir, 'flatten'));
    expect(reshape.attributes.map((a) => `${a.name}=${a.value}`)).toEqual(['0=-1', '0=[]']);
  });

  it('truncated and malformed files fail with a DecodeError naming the line', async () => {
    const cut = text.split('\n').slice(0, 8).join('\n');
    await expect(ncnnDecoder.decode(new BufferSource(new TextEncoder().encode(cut), 'cut.param'))).rejects.toThrow(/header says 13 layers, the file has 6/);
    const bad = text.replace('Concat           fire/concat      2 1', 'Concat           fire/concat      9 1');
    await expect(ncnnDecoder.decode(new BufferSource(new TextEncoder().encode(bad), 'bad.param'))).rejects.toThrow(/line 11: .*fewer blobs/);
    await expect(ncnnDecoder.decode(new BufferSource(new TextEncoder().encode('7767517\nxx\n'), 'x.param'))).rejects.toThrow(DecodeError);
  });
});
