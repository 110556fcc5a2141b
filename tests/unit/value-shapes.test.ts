import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import { ValueFlag, nodeOutputIds, str, type GraphIR } from '../../src/graph/ir.ts';
import {
  INFERRED_MARK,
  edgeShapeText,
  hasInferredShape,
  inferredTypeText,
  valueShapesOf,
  type ValueShapes,
} from '../../src/graph/shapes/value-shapes.ts';
import { analyzeModel } from '../../src/profile/analyze.ts';
import { repoRoot, sharedModels } from '../helpers/models.ts';

async function analysed(path: string): Promise<{ ir: GraphIR; shapes: ValueShapes }> {
  const source = await NodeFileSource.open(path);
  try {
    const { model } = await openModelFile(source);
    const a = await analyzeModel(model, { dims: { batch: 1, sequence: 16 } });
    return { ir: model.ir, shapes: valueShapesOf(a.shapes) };
  } finally {
    await source.close?.();
  }
}

describe('value shapes: recorded first, inferred marked', () => {
  it('gpt-tiny: MatMul outputs the torch export leaves untyped get inferred shapes, marked as such', async () => {
    const { ir, shapes } = await analysed(resolve(repoRoot, 'samples/gpt-tiny.onnx'));
    let inferred = 0;
    let recorded = 0;
    for (let n = 0; n < ir.nodeCount; n++) {
      if (str(ir, ir.nodeOp[n]) !== 'MatMul') continue;
      for (const v of nodeOutputIds(ir, n)) {
        if (v < 0) continue;
        const text = edgeShapeText(ir, shapes, v);
        if (ir.valueFlags[v] & ValueFlag.HasShape) {
          recorded++;
          expect(text.startsWith(INFERRED_MARK)).toBe(false);
          continue;
        }
        inferred++;
        expect(hasInferredShape(ir, shapes, v)).toBe(true);
        // `~1×16×64` or `~1×4×16×16`: batch bound to 1, every dim known.
        expect(text).toMatch(/^~1(×\d+)+$/);
        expect(inferredTypeText(shapes, v)).toMatch(/^float32\[1(,\d+)+\] inferred$/);
        // Without the analysis nothing is invented.
        expect(edgeShapeText(ir, null, v)).toBe('');
        expect(inferredTypeText(null, v)).toBeNull();
      }
    }
    expect(inferred).toBeGreaterThan(0);
    expect(inferred + recorded).toBeGreaterThan(0);
  });

  it('keeps the recorded shape of graph inputs as the file states it (symbols included)', async () => {
    const { ir, shapes } = await analysed(resolve(repoRoot, 'samples/gpt-tiny.onnx'));
    const input = Array.from({ length: ir.valueCount }, (_, v) => v).find(
      (v) => ir.valueFlags[v] & ValueFlag.GraphInput && !(ir.valueFlags[v] & ValueFlag.Initializer),
    )!;
    expect(ir.valueFlags[input] & ValueFlag.HasShape).toBeTruthy();
    const text = edgeShapeText(ir, shapes, input);
    expect(text.startsWith(INFERRED_MARK)).toBe(false);
    expect(text.length).toBeGreaterThan(0);
    expect(hasInferredShape(ir, shapes, input)).toBe(false);
  });

  it('PP-OCR: image sizes nobody gave are assumptions: edges leave inferred shapes out, properties say so', async () => {
    const { ir, shapes } = await analysed(resolve(sharedModels, 'onnx/ch_PP-OCRv4_det_infer.onnx'));
    expect(shapes.assumed.some((a) => /^p2o\.DynamicDimension\.\d = 1$/.test(a))).toBe(true);
    const conv = Array.from({ length: ir.nodeCount }, (_, n) => n).find((n) => str(ir, ir.nodeOp[n]) === 'Conv')!;
    const out = nodeOutputIds(ir, conv)[0];
    expect(ir.valueFlags[out] & ValueFlag.HasShape).toBeFalsy();
    expect(edgeShapeText(ir, shapes, out)).toBe('');
    expect(inferredTypeText(shapes, out)).toMatch(/^float32\[1,16,\d+,\d+\] inferred, assuming p2o\.DynamicDimension/);
  });
});
