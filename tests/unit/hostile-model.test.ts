import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { graphInputIds, graphOutputIds, str, valueShape } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { HOSTILE_NAMES, XSS, writeHostileOnnx } from '../helpers/hostile-model.ts';
import { cacheDir } from '../helpers/models.ts';
import { graphProto, modelProto } from '../helpers/protobuf-writer.ts';

describe('hostile-but-valid ONNX model (XSS strings in every field)', () => {
  const path = writeHostileOnnx(resolve(cacheDir, 'hostile/xss.onnx'));

  it('is valid ONNX to the python onnx package, with the strings intact', () => {
    const out = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        `
import json, sys, onnx
m = onnx.load(sys.argv[1])
g = m.graph
print(json.dumps({
  "nodes": [n.name for n in g.node], "ops": [n.op_type for n in g.node], "docs": [n.doc_string for n in g.node],
  "inputs": [i.name for i in g.input], "outputs": [o.name for o in g.output], "inits": [t.name for t in g.initializer],
  "graph": g.name, "producer": m.producer_name,
}))`,
        path,
      ],
      { encoding: 'utf8' },
    );
    const py = JSON.parse(out);
    expect(py.nodes).toEqual(HOSTILE_NAMES.nodes);
    expect(py.ops).toEqual(HOSTILE_NAMES.ops);
    expect(py.docs).toEqual(HOSTILE_NAMES.docs);
    expect(py.inputs).toEqual([HOSTILE_NAMES.input]);
    expect(py.outputs).toEqual([HOSTILE_NAMES.output]);
    expect(py.inits).toEqual([HOSTILE_NAMES.initializer]);
    expect(py.graph).toBe(HOSTILE_NAMES.graph);
    expect(py.producer).toBe(XSS.script);
  });

  it('decodes, and every string comes back verbatim', async () => {
    const source = await NodeFileSource.open(path);
    try {
      const { model } = await openModelFile(source);
      const { ir } = model;
      expect(validateIR(ir)).toEqual([]);
      const main = ir.graphNodeStart[0];
      const names = Array.from({ length: ir.graphNodeCount[0] }, (_, i) => str(ir, ir.nodeName[main + i]));
      const ops = Array.from({ length: ir.graphNodeCount[0] }, (_, i) => str(ir, ir.nodeOp[main + i]));
      expect(names).toEqual(HOSTILE_NAMES.nodes);
      expect(ops).toEqual([...HOSTILE_NAMES.ops.slice(0, 3), `${HOSTILE_NAMES.customDomain}.${HOSTILE_NAMES.ops[3]}`]);
      expect(str(ir, ir.graphName[0])).toBe(HOSTILE_NAMES.graph);

      const valueNames = new Set(Array.from(ir.valueName, (s) => str(ir, s)));
      for (const v of [HOSTILE_NAMES.initializer, HOSTILE_NAMES.output, ...HOSTILE_NAMES.intermediate])
        expect(valueNames).toContain(v);
      expect([...graphInputIds(ir, 0)].map((v) => str(ir, ir.valueName[v]))).toEqual([HOSTILE_NAMES.input]);
      expect([...graphOutputIds(ir, 0)].map((v) => str(ir, ir.valueName[v]))).toEqual([HOSTILE_NAMES.output]);
      expect(valueShape(ir, graphInputIds(ir, 0)[0])).toEqual([HOSTILE_NAMES.symbolicDim, 4]);

      const summary = summarize(ir);
      expect(summary.inputs[0].name).toBe(HOSTILE_NAMES.input);
      expect(Object.keys(summary.ops)).toContain(XSS.img);
      expect(ir.metadata.producer).toBe(XSS.script);
      expect(ir.metadata.doc).toBe(XSS.img);

      // Attributes and doc strings, decoded on demand: strings are shown JSON-quoted, names as written.
      const details = await Promise.all(Array.from({ length: 4 }, (_, i) => model.nodeDetails(main + i)));
      expect(details.map((d) => d.doc)).toEqual(HOSTILE_NAMES.docs);
      expect(details[0].attributes[0].name).toBe(XSS.img);
      expect(JSON.parse(details[0].attributes[0].value)).toBe(HOSTILE_NAMES.attributeStrings[0]);
      expect(JSON.parse(details[1].attributes[0].value)).toEqual(HOSTILE_NAMES.attributeStrings.slice(1));
      expect(details[2].attributes[0].name).toBe(XSS.href);
      expect(JSON.parse(details[2].attributes[0].value)).toBe(XSS.svg);
      expect(JSON.parse(details[3].attributes[0].value)).toBe(XSS.attr);
    } finally {
      await source.close();
    }
  });

  it("cannot make a tensor preview read files outside the model's folder", async () => {
    const dir = resolve(cacheDir, 'hostile/external');
    mkdirSync(resolve(dir, 'models'), { recursive: true });
    const secret = new Float32Array([13, 13, 13, 13]);
    writeFileSync(resolve(dir, 'secret.bin'), secret);
    writeFileSync(resolve(dir, 'models/w.bin'), new Float32Array([1, 2, 3, 4]));
    const locations = [
      'w.bin',
      '../secret.bin',
      `${dir}/secret.bin`,
      'sub/../../secret.bin',
      '/etc/passwd',
      '..',
      '.',
      '',
    ];
    const model = resolve(dir, 'models/model.onnx');
    writeFileSync(
      model,
      modelProto({
        graph: graphProto({
          initializers: locations.map((location, i) => ({
            name: `w${i}`,
            dims: [4],
            external: { location, offset: '0', length: '16' },
          })),
          nodes: [{ op: 'Concat', inputs: locations.map((_, i) => `w${i}`), outputs: ['y'] }],
        }),
      }),
    );
    const source = await NodeFileSource.open(model);
    try {
      const { ir } = (await openModelFile(source)).model;
      expect(validateIR(ir)).toEqual([]);
      for (let i = 0; i < locations.length; i++) {
        const v = [...ir.valueName].findIndex((s) => str(ir, s) === `w${i}`);
        const preview = await tensorPreview(source, ir, v);
        if (i === 0) expect(preview.values).toEqual(['1', '2', '3', '4']);
        else expect(preview.values, locations[i]).not.toContain('13');
      }
    } finally {
      await source.close();
    }
  });
});
