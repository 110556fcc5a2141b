import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeOnnxAttributes } from '../../src/decode/onnx/attributes.ts';
import { loadSmallConstants } from '../../src/decode/small-constants.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import { ValueFlag, str, valueShape } from '../../src/graph/ir.ts';
import { ATTRIBUTE_OPS } from '../../src/graph/shapes/attributes.ts';
import { inferShapes, inferredShape } from '../../src/graph/shapes/infer.ts';
import { sharedModels } from '../helpers/models.ts';

describe('ONNX conformance models', () => {
  it('inference reproduces every declared output shape it resolves, with the declarations hidden', async () => {
    let agree = 0;
    let unknown = 0;
    const wrong: string[] = [];
    for (const set of ['node', 'pytorch-converted', 'pytorch-operator', 'simple']) {
      const root = resolve(sharedModels, 'onnx-conformance', set);
      for (const dir of readdirSync(root)) {
        const source = await NodeFileSource.open(resolve(root, dir, 'model.onnx'));
        try {
          const { ir } = (await openModelFile(source)).model;
          const attributes = await decodeOnnxAttributes(source, ir, ATTRIBUTE_OPS);
          const constants = await loadSmallConstants(source, ir);
          // Hide the file's shapes of computed values; inference has to find them.
          const flags = ir.valueFlags.slice();
          for (let v = 0; v < ir.valueCount; v++) {
            if (ir.valueProducer[v] >= 0 && !(flags[v] & ValueFlag.ConstantNode))
              ir.valueFlags[v] &= ~ValueFlag.HasShape;
          }
          const shapes = inferShapes(ir, { attributes, constants });
          ir.valueFlags.set(flags);
          for (let v = 0; v < ir.valueCount; v++) {
            if (ir.valueProducer[v] < 0 || !(flags[v] & ValueFlag.HasShape) || ir.valueGraph[v] !== 0) continue;
            const want = valueShape(ir, v)!;
            if (want.some((d) => typeof d !== 'number' || d < 0)) continue;
            const got = inferredShape(shapes, v);
            if (!got || got.some((d) => d < 0)) unknown++;
            else if (JSON.stringify(got) === JSON.stringify(want)) agree++;
            else
              wrong.push(
                `${set}/${dir} ${str(ir, ir.valueName[v])}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`,
              );
          }
        } finally {
          await source.close();
        }
      }
    }
    expect(wrong).toEqual([]);
    // The unknowns are shapes that depend on run-time inputs (a Reshape target fed as a graph input, ...).
    expect(agree).toBeGreaterThan(1000);
    expect(unknown).toBeLessThan(agree / 2);
  }, 60_000);
});
