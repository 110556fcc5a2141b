import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { decoders } from '../../src/decode/registry.ts';
import { tnnDecoder } from '../../src/decode/tnn/index.ts';
import { nodeInputIds, str, type GraphIR } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { repoRoot } from '../helpers/models.ts';

/* No TNN model ships in a Debian or npm package reachable here: tests/fixtures/tnn/tiny_mobile.tnnproto is
 * hand-written in the line layout TNN's converter writes (header, inputs, blob names, outputs, layer count, layers). */
const text = readFileSync(resolve(repoRoot, 'tests/fixtures/tnn/tiny_mobile.tnnproto'), 'utf8');
const bytes = new TextEncoder().encode(text);
const dec = async (t: string, name = 'm.tnnproto') =>
  (await tnnDecoder.open(new BufferSource(new TextEncoder().encode(t), name))).ir;
const nodeNamed = (ir: GraphIR, name: string) => {
  for (let n = 0; n < ir.nodeCount; n++) if (str(ir, ir.nodeName[n]) === name) return n;
  throw new Error(`no node ${name}`);
};

describe('TNN .tnnproto', () => {
  it('is claimed by the tnn decoder only', () => {
    for (const name of ['tiny_mobile.tnnproto', 'model.txt'])
      expect(decoders.filter((d) => d.sniff(bytes, name)).map((d) => d.id)).toEqual(['tnn']);
  });

  it('one node per layer line, the input line as graph inputs, the output line as outputs', async () => {
    const source = new BufferSource(bytes, 'tiny_mobile.tnnproto');
    const model = await tnnDecoder.open(source);
    const ir = model.ir;
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    expect(s.nodes).toBe(9);
    expect(s.ops).toEqual({ Convolution: 3, InnerProduct: 1, Pooling: 1, ReLU: 3, SoftmaxCaffe: 1 });
    expect(s.inputs).toEqual([{ name: 'input', type: 'float32', shape: [1, 3, 64, 64] }]);
    expect(s.outputs.map((o) => o.name)).toEqual(['prob']);
    expect(ir.metadata).toMatchObject({ header: '1 10 1 4206624770', layers: '9', blobs: '10' });
    expect(Array.from(nodeInputIds(ir, nodeNamed(ir, 'pw2')), (v) => str(ir, ir.valueName[v]))).toEqual(['relu2']);
    const details = await model.nodeDetails(nodeNamed(ir, 'fc'));
    expect(details.attributes.map((a) => a.value)).toEqual(['10', '1', '0', '1']);
  });

  it('reads the newer input line (dim count first, data type last) and several inputs', async () => {
    const ir = await dec('"1 3 1 4206624770 ,"\n"a 4 1 3 8 8 0 : b 2 1 8 0 ,"\n"c ,"\n" 1 ,"\n"Add c 2 1 a b c 0 ,"\n');
    expect(summarize(ir).inputs).toEqual([
      { name: 'a', type: 'float32', shape: [1, 3, 8, 8] },
      { name: 'b', type: 'float32', shape: [1, 8] },
    ]);
    expect(summarize(ir).outputs.map((o) => o.name)).toEqual(['c']);
  });

  it('truncated and malformed files fail with a DecodeError naming the line', async () => {
    const cut = text.split('\n').slice(0, 8).join('\n');
    await expect(dec(cut)).rejects.toThrow(/layer count line says 9 layers, the file has 3/);
    await expect(dec(text.replace('"ReLU relu2 1 1 dw2 relu2 ,"', '"ReLU relu2 3 1 dw2 relu2 ,"'))).rejects.toThrow(
      /line 9: .*fewer blobs/,
    );
    await expect(dec(text.replace('"ReLU relu2 1 1 dw2 relu2 ,"', 'ReLU relu2 1 1 dw2 relu2'))).rejects.toMatchObject({
      field: 'line 9',
    });
    await expect(dec('"1 2 3 ,"\n')).rejects.toThrow(DecodeError);
    await expect(dec('"x y ,"\n"a 1 ,"\n')).rejects.toThrow(/first line/);
  });
});
