import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { paddleDecoder } from '../../src/decode/paddle/index.ts';
import { decoders } from '../../src/decode/registry.ts';
import { ValueFlag, nodeInputIds, str, type GraphIR } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { repoRoot } from '../helpers/models.ts';
import { blockDesc, programDesc, tinyPaddleProgram } from '../helpers/paddle-proto.ts';

/* No .pdmodel ships in a Debian or npm package reachable here: tests/fixtures/paddle/tiny_cond.pdmodel is written by
 * tinyPaddleProgram() (tests/helpers/paddle-proto.ts) from the field numbers of Paddle's framework.proto. */
const bytes = new Uint8Array(readFileSync(resolve(repoRoot, 'tests/fixtures/paddle/tiny_cond.pdmodel')));
const opsOf = (ir: GraphIR, graph: number) => {
  const out: string[] = [];
  for (let n = ir.graphNodeStart[graph]; n < ir.graphNodeStart[graph] + ir.graphNodeCount[graph]; n++)
    out.push(str(ir, ir.nodeOp[n]));
  return out;
};
const nodeOfOp = (ir: GraphIR, op: string) => {
  for (let n = 0; n < ir.nodeCount; n++) if (str(ir, ir.nodeOp[n]) === op) return n;
  throw new Error(`no ${op}`);
};

describe('PaddlePaddle .pdmodel', () => {
  it('the fixture is what the helper writes, and only the paddle decoder claims it', () => {
    expect(bytes).toEqual(tinyPaddleProgram());
    for (const name of ['tiny_cond.pdmodel', 'model.bin'])
      expect(decoders.filter((d) => d.sniff(bytes, name)).map((d) => d.id)).toEqual(['paddle']);
  });

  it('block 0 is the graph, feed/fetch are its inputs/outputs, a sub_block is a sub-graph', async () => {
    const source = new BufferSource(bytes, 'tiny_cond.pdmodel');
    const model = await paddleDecoder.open(source);
    const ir = model.ir;
    expect(validateIR(ir)).toEqual([]);
    expect(ir.nodeCount).toBe(12);
    expect(ir.graphCount).toBe(2);
    const s = summarize(ir);
    expect(s.ops).toMatchObject({
      conv2d: 1,
      batch_norm: 1,
      relu: 1,
      pool2d: 1,
      conditional_block: 1,
      matmul_v2: 1,
      softmax: 1,
    });
    expect(Object.keys(s.ops)).not.toContain('feed');
    expect(s.inputs).toEqual([{ name: 'image', type: 'float32', shape: [-1, 3, 32, 32] }]);
    expect(s.outputs.map((o) => o.name)).toEqual(['prob']);
    expect(s.initializers).toBe(8);
    expect(opsOf(ir, 1)).toEqual(['scale', 'assign']);
    expect(str(ir, ir.nodeOp[ir.graphParentNode[1]])).toBe('conditional_block');
    // The sub-block reads pool_out from block 0: resolved to the outer value.
    const scale = nodeOfOp(ir, 'scale');
    const [x] = nodeInputIds(ir, scale);
    expect(ir.valueGraph[x]).toBe(0);
    expect(str(ir, ir.valueName[x])).toBe('pool_out');
    const conv = nodeOfOp(ir, 'conv2d');
    const w = nodeInputIds(ir, conv)[1];
    expect(ir.valueFlags[w] & ValueFlag.Initializer).toBeTruthy();
    expect(ir.metadata).toMatchObject({ blocks: '2', ops: '14', version: '2005000' });
    const details = await model.nodeDetails(conv);
    expect(details.attributes.map((a) => `${a.name}:${a.type}=${a.value}`)).toEqual([
      'strides:int[]=[1, 1]',
      'paddings:int[]=[1, 1]',
      'groups:int=1',
      'data_format:string="NCHW"',
    ]);
    const bn = await model.nodeDetails(nodeOfOp(ir, 'batch_norm'));
    expect(bn.attributes.map((a) => `${a.name}=${a.value}`)).toEqual(['epsilon=0.5', 'is_test=true']);
  });

  it('truncated, corrupt and self-referencing programs fail with a DecodeError', async () => {
    const dec = async (b: Uint8Array) => (await paddleDecoder.open(new BufferSource(b, 'bad.pdmodel'))).ir;
    await expect(dec(bytes.subarray(0, bytes.length - 20))).rejects.toThrow(DecodeError);
    await expect(dec(bytes.subarray(0, 100))).rejects.toMatchObject({
      name: 'DecodeError',
      file: 'bad.pdmodel',
      field: 'ProgramDesc',
    });
    const corrupt = bytes.slice();
    corrupt[1] = 0x7f; // blocks[0] length no longer matches
    await expect(dec(corrupt)).rejects.toThrow(DecodeError);
    const loop = programDesc([
      blockDesc(0, -1, [], [{ type: 'while', inputs: {}, outputs: {}, attrs: [{ name: 'sub_block', block: 0 }] }]),
    ]);
    await expect(dec(loop)).rejects.toThrow(/block 0 is used twice or contains itself/);
    const missing = programDesc([
      blockDesc(0, -1, [], [{ type: 'while', inputs: {}, outputs: {}, attrs: [{ name: 'sub_block', block: 7 }] }]),
    ]);
    await expect(dec(missing)).rejects.toThrow(/block 7, which does not exist/);
  });
});
