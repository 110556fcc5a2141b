import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { constantInputCounts, foldConstants, foldedCount } from '../../src/graph/fold.ts';
import { buildHierarchy } from '../../src/graph/hierarchy/build.ts';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import { buildBoxRows } from '../../src/decode/box-rows.ts';
import type { BoxRows } from '../../src/decode/api.ts';
import { opFactsFor } from '../../src/decode/input-roles.ts';
import { type GraphIR, mainGraphNodeCount, str } from '../../src/graph/ir.ts';
import { stringIndex } from '../helpers/models.ts';

const models = resolve(__dirname, '../../../shared/models');
const reference = JSON.parse(readFileSync(resolve(models, 'onnx-reference.json'), 'utf8'));

async function open(path: string, siblings: Record<string, string> = {}) {
  const extra = new Map(Object.entries(siblings).map(([k, p]) => [k, new Uint8Array(readFileSync(p))]));
  const { model } = await openModelFile(
    new BufferSource(new Uint8Array(readFileSync(path)), path.split('/').pop(), extra),
  );
  return model;
}

/** Rows of the first node with op `op`, as text. */
function rowsOf(
  rows: Pick<BoxRows, 'rowOffsets' | 'texts' | 'rowText'>,
  ir: Pick<GraphIR, 'nodeCount' | 'nodeOp' | 'strings'>,
  op: string,
): string[] {
  for (let v = 0; v < ir.nodeCount; v++) {
    if (ir.strings.at(ir.nodeOp[v]) !== op) continue;
    return Array.from(rows.rowText.subarray(rows.rowOffsets[v], rows.rowOffsets[v + 1]), (t) => rows.texts[t]);
  }
  return [];
}

describe('folding constants into their consumers', () => {
  it('folds every Constant node of the real ONNX models (operators = nodes − Constant)', async () => {
    const entries = Object.entries(reference as Record<string, { ops?: Record<string, number>; nodes?: number }>);
    let checked = 0;
    for (const file of [
      'ch_PP-OCRv4_det_infer.onnx',
      'mlsd_320x320_tiny.onnx',
      'silero_vad_v5.onnx',
      'llama_32L.onnx',
    ]) {
      const model = await open(resolve(models, 'onnx', file));
      const ir = model.ir;
      const folded = foldConstants(ir);
      let constants = 0;
      for (let v = 0; v < ir.nodeCount; v++)
        if (str(ir, ir.nodeOp[v]) === 'Constant' && ir.nodeGraph[v] === 0) constants++;
      let foldedMain = 0;
      for (let v = 0; v < ir.nodeCount; v++) if (folded[v] && ir.nodeGraph[v] === 0) foldedMain++;
      expect(foldedMain, file).toBe(constants);
      checked++;
      const ref = entries.find(([k]) => k.endsWith(file))?.[1];
      if (ref?.ops?.Constant !== undefined) expect(constants, file).toBe(ref.ops.Constant);
      if (file.startsWith('ch_PP')) {
        expect(mainGraphNodeCount(ir) - foldedMain).toBe(330);
        // Folded nodes are in no group and have no edges: the root's subtree counts operators only.
        const h = buildHierarchy(ir, { skipNodes: folded });
        expect(h.groupSize[0]).toBe(330);
      }
    }
    expect(checked).toBe(4);
  });

  it('lists folded constants as rows: small ones by value, weights as role ⟨shape⟩, attributes, no defaults', async () => {
    const model = await open(resolve(models, 'onnx/ch_PP-OCRv4_det_infer.onnx'));
    const rows = await buildBoxRows(model, {
      fold: true,
      facts: await opFactsFor('onnx'),
      maxAttributeNodes: 5000,
      prefetch: null,
    });
    expect(foldedCount(rows.folded)).toBe(342);
    const conv = rowsOf(rows, model.ir, 'Conv');
    expect(conv[0]).toBe('W ⟨16×3×3×3⟩');
    expect(conv).toContain('strides = [2, 2]');
    expect(conv.some((r) => r.startsWith('dilations'))).toBe(false);
    expect(rowsOf(rows, model.ir, 'Clip')).toEqual(['min = 0', 'max = 6']);
    // With constants shown as nodes nothing is folded, and Constant outputs are inputs like any other.
    const unfolded = await buildBoxRows(model, {
      fold: false,
      facts: await opFactsFor('onnx'),
      maxAttributeNodes: 0,
      prefetch: null,
    });
    expect(foldedCount(unfolded.folded)).toBe(0);
    expect(rowsOf(unfolded, model.ir, 'Clip')).toEqual([]);
  });

  it('TFLite: weights are initializers (nothing to fold), rows use kernel input names, fused activations go to the title', async () => {
    const model = await open(resolve(models, 'tflite/pose_landmark_full.tflite'));
    const ir = model.ir;
    expect(foldedCount(foldConstants(ir))).toBe(0);
    expect(constantInputCounts(ir, foldConstants(ir)).some((n) => n > 0)).toBe(true);
    const rows = await buildBoxRows(model, {
      fold: true,
      facts: await opFactsFor('tflite'),
      maxAttributeNodes: 5000,
      prefetch: null,
    });
    expect(rowsOf(rows, ir, 'PAD')[0]).toMatch(/^paddings (⟨4×2⟩|= )/);
    const relu6 = [...rows.titles.values()];
    expect(relu6).toContain('RELU6');
  });

  it('OpenVINO: Const layers are initializers, listed in their consumers', async () => {
    const model = await open(resolve(models, 'openvino/face-detection-retail-0005.xml'), {
      'face-detection-retail-0005.bin': resolve(models, 'openvino/face-detection-retail-0005.bin'),
    });
    const ir = model.ir;
    expect(stringIndex(ir.strings, 'Const') >= 0 ? foldedCount(foldConstants(ir)) : 0).toBe(0);
    const rows = await buildBoxRows(model, {
      fold: true,
      facts: await opFactsFor('openvino'),
      maxAttributeNodes: 0,
      prefetch: null,
    });
    const conv = rowsOf(rows, ir, 'Convolution');
    expect(conv.length).toBeGreaterThan(0);
    expect(conv[0]).toMatch(/⟨\d+×\d+×\d+×\d+⟩/);
  });
});

describe('ONNX operator schemas', () => {
  it('the committed table is what scripts/gen-onnx-ops.py generates from the installed python onnx', () => {
    let available = true;
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import onnx.defs'], { stdio: 'ignore' });
    } catch {
      available = false;
    }
    if (!available) return;
    const out = execFileSync('/usr/bin/python3', [resolve(__dirname, '../../scripts/gen-onnx-ops.py'), '--check'], {
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('up to date');
  });

  it('gives input roles and documentation', async () => {
    const facts = await opFactsFor('onnx');
    expect(facts.roles('Conv')).toEqual(['X', 'W', 'B']);
    expect(facts.isDefault('Conv', 'group', '1')).toBe(true);
    expect(facts.isDefault('Conv', 'group', '16')).toBe(false);
  });
});
