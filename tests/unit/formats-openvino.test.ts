import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { openvinoDecoder } from '../../src/decode/openvino/index.ts';
import { decoders } from '../../src/decode/registry.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import {
  GraphKind,
  ValueFlag,
  graphInputIds,
  graphOutputIds,
  nodeInputIds,
  str,
  valueShape,
  type GraphIR,
} from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { repoRoot } from '../helpers/models.ts';

/*
 * No OpenVINO model ships in any Debian or npm package reachable here, so tests/fixtures/openvino/tiny_classifier.xml
 * is a small IR v11 written by hand in the layout the Model Optimizer emits; its .bin is made here (1232 bytes).
 */
const xmlPath = resolve(repoRoot, 'tests/fixtures/openvino/tiny_classifier.xml');
const xml = new Uint8Array(readFileSync(xmlPath));
const bin = new Uint8Array(1232);
new Float32Array(bin.buffer, 0, 216).forEach((_, i, a) => (a[i] = i / 10));
new BigInt64Array(bin.buffer, 896, 2).set([2n, 3n]);

const nodeNamed = (ir: GraphIR, name: string) => {
  for (let n = 0; n < ir.nodeCount; n++) if (str(ir, ir.nodeName[n]) === name) return n;
  throw new Error(`no node ${name}`);
};
const valueNamed = (ir: GraphIR, name: string) =>
  [...Array(ir.valueCount).keys()].find((v) => str(ir, ir.valueName[v]) === name)!;
const withBin = () => new BufferSource(xml, 'tiny_classifier.xml', new Map([['tiny_classifier.bin', bin]]));

const tensorIterator = `<?xml version="1.0"?>
<net name="ti" version="11"><layers>
<layer id="0" name="x" type="Parameter" version="opset1"><data shape="1,4,2" element_type="f32"/><output><port id="0" precision="FP32"><dim>1</dim><dim>4</dim><dim>2</dim></port></output></layer>
<layer id="1" name="loop" type="TensorIterator" version="opset1">
 <input><port id="0"><dim>1</dim><dim>4</dim><dim>2</dim></port></input>
 <output><port id="1"><dim>1</dim><dim>4</dim><dim>2</dim></port></output>
 <port_map><input axis="1" external_port_id="0" internal_layer_id="0"/><output axis="1" external_port_id="1" internal_layer_id="2"/></port_map>
 <body><layers>
  <layer id="0" name="xi" type="Parameter" version="opset1"><data shape="1,1,2" element_type="f32"/><output><port id="0"><dim>1</dim><dim>1</dim><dim>2</dim></port></output></layer>
  <layer id="1" name="act" type="Tanh" version="opset1"><input><port id="0"/></input><output><port id="1"/></output></layer>
  <layer id="2" name="yi" type="Result" version="opset1"><input><port id="0"/></input></layer>
 </layers><edges><edge from-layer="0" from-port="0" to-layer="1" to-port="0"/><edge from-layer="1" from-port="1" to-layer="2" to-port="0"/></edges></body>
</layer>
<layer id="2" name="y" type="Result" version="opset1"><input><port id="0"/></input></layer>
</layers><edges><edge from-layer="0" from-port="0" to-layer="1" to-port="0"/><edge from-layer="1" from-port="1" to-layer="2" to-port="0"/></edges></net>
`;

describe('OpenVINO IR (.xml + .bin)', () => {
  it('is claimed by the openvino decoder only; other XML is not', () => {
    for (const name of ['tiny_classifier.xml', 'model.bin'])
      expect(decoders.filter((d) => d.sniff(xml, name)).map((d) => d.id)).toEqual(['openvino']);
    const cascade = new TextEncoder().encode(
      '<?xml version="1.0"?>\n<opencv_storage>\n<cascade type_id="opencv-cascade-classifier"><stageType>BOOST</stageType>\n',
    );
    expect(decoders.filter((d) => d.sniff(cascade, 'haarcascade_eye.xml')).map((d) => d.id)).toEqual([]);
  });

  it('sniffing a head full of comments that never reaches <net> is immediate (no regex backtracking)', () => {
    // Found by the fuzzer: a repeated (comment)* group in the sniff regex backtracked for minutes on this head.
    const comment = '<!-- A small conv classifier in OpenVINO IR v11, written by hand. -->\n';
    const head = new TextEncoder().encode(`<?xml version="1.0"?>\n${comment.repeat(80)}`.slice(0, 4096));
    const t = performance.now();
    expect(decoders.filter((d) => d.sniff(head, 'model.xml'))).toEqual([]);
    expect(performance.now() - t).toBeLessThan(1000);
    const withNet = new TextEncoder().encode(
      `<?xml version="1.0"?>\n${comment.repeat(3)}<net name="n" version="11">\n<layers>\n<layer id="0" `,
    );
    expect(decoders.filter((d) => d.sniff(withNet, 'model.xml')).map((d) => d.id)).toEqual(['openvino']);
  });

  it('layers become nodes, Parameter/Result the graph inputs/outputs, Const the constants in the .bin', async () => {
    const source = withBin();
    const model = await openvinoDecoder.open(source);
    const ir = model.ir;
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    expect(s.nodes).toBe(6);
    expect(s.ops).toEqual({ Add: 1, Convolution: 1, MatMul: 1, ReLU: 1, ReduceMean: 1, SoftMax: 1 });
    expect(s.initializers).toBe(4);
    expect(s.parameters).toBe(216 + 8 + 2 + 80);
    expect(s.inputs).toEqual([{ name: 'data', type: 'float32', shape: [1, 3, 8, 8] }]);
    expect(s.outputs).toEqual([{ name: 'prob', type: 'float32', shape: [1, 10] }]);
    expect(ir.metadata).toMatchObject({
      ir_version: '11',
      name: 'tiny_classifier',
      layers: '12',
      weights: 'tiny_classifier.bin (1232 bytes)',
    });

    const conv = nodeNamed(ir, 'conv1');
    expect(Array.from(nodeInputIds(ir, conv), (v) => str(ir, ir.valueName[v]))).toEqual(['data', 'conv1/weights']);
    const w = valueNamed(ir, 'conv1/weights');
    expect(ir.valueFlags[w] & ValueFlag.External).toBeTruthy();
    expect([ir.valueDataOffset[w], ir.valueDataLength[w], str(ir, ir.valueLocation[w])]).toEqual([
      0,
      864,
      'tiny_classifier.bin',
    ]);
    expect(valueShape(ir, valueNamed(ir, 'conv1_out'))).toEqual([1, 8, 8, 8]);
    expect((await tensorPreview(source, ir, w)).values.slice(0, 3)).toEqual(['0', '0.100000', '0.200000']);
    expect((await tensorPreview(source, ir, valueNamed(ir, 'pool/axes'))).values).toEqual(['2', '3']);

    const details = await model.nodeDetails(conv);
    expect(Object.fromEntries(details.attributes.map((a) => [a.name, a.value]))).toMatchObject({
      version: 'opset1',
      strides: '1,1',
      pads_begin: '1,1',
      auto_pad: 'explicit',
    });
  });

  it('a TensorIterator body is a sub-graph of its node', async () => {
    const model = await openvinoDecoder.open(new BufferSource(new TextEncoder().encode(tensorIterator), 'ti.xml'));
    const ir = model.ir;
    expect(validateIR(ir)).toEqual([]);
    expect(summarize(ir).ops).toEqual({ TensorIterator: 1 });
    expect(ir.graphKind[1]).toBe(GraphKind.Subgraph);
    expect(ir.graphParentNode[1]).toBe(nodeNamed(ir, 'loop'));
    expect(ir.graphNodeCount[1]).toBe(1);
    expect(graphInputIds(ir, 1).length).toBe(1);
    expect(graphOutputIds(ir, 1).length).toBe(1);
  });

  it('truncated or inconsistent files fail with a DecodeError naming the place', async () => {
    await expect(openvinoDecoder.open(new BufferSource(xml.subarray(0, 3000), 'cut.xml'))).rejects.toThrow(
      /^line \d+: /,
    );
    const text = new TextDecoder().decode(xml);
    await expect(
      openvinoDecoder.open(
        new BufferSource(new TextEncoder().encode(text.replace('from-layer="8"', 'from-layer="80"')), 'bad.xml'),
      ),
    ).rejects.toThrow(/edge from layer 80/);
    const small = new BufferSource(
      xml,
      'tiny_classifier.xml',
      new Map([['tiny_classifier.bin', bin.subarray(0, 900)]]),
    );
    await expect(openvinoDecoder.open(small)).rejects.toThrow(DecodeError);
    await expect(
      openvinoDecoder.open(
        new BufferSource(
          new TextEncoder().encode('<net version="11"><layers><layer id="0" name="a" type="Relu"'),
          'x.xml',
        ),
      ),
    ).rejects.toThrow(DecodeError);
  });
});
