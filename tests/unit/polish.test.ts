import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_LIMITS, ExportRefused, planWholeExport } from '../../src/app/export.ts';
import { nodeRank, tensorRank } from '../../src/app/search-rank.ts';
import { matchNames } from '../../src/graph/name-search.ts';
import { explainFailure, formatSize } from '../../src/decode/explain-error.ts';
import { colourNodesAndGroups } from '../../src/ui/colour-modes.ts';
import { naturalCompare } from '../../src/ui/profile-panel.ts';

describe("failures in the user's words", () => {
  const readme = new Uint8Array(readFileSync(resolve(__dirname, '../../README.md')).subarray(0, 512));
  it('a text file named .onnx is not an ONNX model; the decoder line stays as detail', () => {
    const e = explainFailure('garbage.onnx: unsupported wire type 3 (in ModelProto)', 'garbage.onnx', readme, 4000);
    expect(e.summary).toBe('garbage.onnx: not an ONNX model: the file is plain text');
    expect(e.detail).toMatch(/wire type/);
  });
  it('a truncated file ends early, with how much was read and how much the file needs', () => {
    const e = explainFailure(
      'm.onnx: truncated: needs 4745504 bytes at offset 13, file has 300000 (in graph)',
      'm.onnx',
      new Uint8Array([8, 7, 18]),
      300_000,
    );
    expect(e.summary).toBe('m.onnx: the file ends early (read 300 KB of at least 4.7 MB): it may be incomplete');
  });
  it("anything else keeps the decoder's words", () => {
    expect(explainFailure('x.tflite: bad magic', 'x.tflite', new Uint8Array([0, 1, 2, 0]), 10)).toEqual({
      summary: 'x.tflite: bad magic',
      detail: '',
    });
    expect(formatSize(999)).toBe('999 B');
    expect(formatSize(32_000_000)).toBe('32 MB');
  });
});

describe('search rank', () => {
  it('op type first, then names, then op substrings, then tensors', () => {
    const names = ['', 'conv2d_0', 'conv', 'relu', 'block/conv2d', 'x', 'convtranspose', 'conv2d_0.w_0'];
    const m = matchNames(names, 'conv');
    const id = (s: string) => names.indexOf(s);
    const rank = (name: string, op: string) => nodeRank(m[id(name)], m[id(op)])?.rank ?? null;
    expect(rank('conv2d_0', 'conv')).toBe(0);
    expect(rank('conv', 'relu')).toBe(1);
    expect(rank('conv2d_0', 'relu')).toBe(2);
    expect(rank('block/conv2d', 'relu')).toBe(3);
    expect(rank('x', 'convtranspose')).toBe(4);
    expect(rank('x', 'relu')).toBeNull();
    expect(tensorRank(m[id('conv2d_0.w_0')])).toBe(6);
  });
});

describe('colour scales', () => {
  it('on the shared scale a group with a larger value is never lighter than an operator', () => {
    const { nodes, groups } = colourNodesAndGroups([8.4e6, 1e5], [0, 17.6e6], 'shared');
    const lum = (c: number) => ((c >> 16) & 255) + ((c >> 8) & 255) + (c & 255);
    expect(lum(groups.colours[1])).toBeLessThanOrEqual(lum(nodes.colours[0]));
    const own = colourNodesAndGroups([8.4e6, 1e5], [0, 17.6e6], 'own');
    expect(own.groups.max).toBe(17.6e6);
  });
});

describe('whole-graph export plan', () => {
  it('draws at a readable size, shrinks to the canvas limits, and refuses below readable', () => {
    const small = planWholeExport({ minX: 0, minY: 0, maxX: 2000, maxY: 3000 }, 32, true);
    expect(small.scale).toBeCloseTo(EXPORT_LIMITS.readableNodePx / 32);
    const tall = planWholeExport({ minX: 0, minY: 0, maxX: 500, maxY: 30_000 }, 32, true);
    expect(tall.height).toBeLessThanOrEqual(EXPORT_LIMITS.maxSide);
    expect(() => planWholeExport({ minX: 0, minY: 0, maxX: 1000, maxY: 3_000_000 }, 32, true)).toThrow(ExportRefused);
    expect(() => planWholeExport({ minX: 0, minY: 0, maxX: 1000, maxY: 3_000_000 }, 32, true)).toThrow(
      /too large for one PNG.*export SVG/,
    );
    expect(planWholeExport({ minX: 0, minY: 0, maxX: 1000, maxY: 3_000_000 }, 32, false).scale).toBeGreaterThan(0);
  });
});

describe('natural order', () => {
  it('sorts h.2 before h.10', () => {
    expect(['h.10', 'h.2', 'h.1'].sort(naturalCompare)).toEqual(['h.1', 'h.2', 'h.10']);
  });
});
