import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffFiles } from '../../src/cli/diff.ts';
import { columnBuffers } from '../../src/graph/column-buffers.ts';
import { DecodeService } from '../../src/decode/service.ts';
import { diffModels } from '../../src/diff/diff.ts';
import type { GraphIR } from '../../src/graph/ir.ts';
import { analyzeModel } from '../../src/profile/analyze.ts';
import { pairFromFiles } from '../../src/ui/files.ts';
import { cacheDir, repoRoot, stringIndex } from '../helpers/models.ts';

/**
 * The decode worker's side of a comparison, driven without a worker: the IR handed to the page is transferred
 * (its buffers detached, as postMessage does), the open models keep reading details and attributes, and the diff
 * of the two open models equals `strata diff` on the files.
 */

const sample = resolve(repoRoot, 'samples/gpt-tiny.onnx');

function edited(): string {
  const dir = resolve(cacheDir, 'diff');
  mkdirSync(dir, { recursive: true });
  const out = resolve(dir, 'gpt-tiny-edited.onnx');
  if (!existsSync(out))
    execFileSync('/usr/bin/python3', [resolve(repoRoot, 'tests/helpers/diff_variants.py'), 'edit', sample, out], {
      timeout: 120_000,
    });
  return out;
}

const blob = (path: string) => ({
  kind: 'blob' as const,
  blob: new Blob([readFileSync(path)]),
  name: path.split('/').pop()!,
});

/** What sending the IR to the page does to the worker's copy: its typed arrays are detached. */
function transfer(ir: GraphIR): void {
  structuredClone(columnBuffers(ir), { transfer: columnBuffers(ir) });
}

describe('DecodeService comparison', () => {
  it('keeps details readable after the IR is transferred, diffs A against B like the CLI, and reads A details', async () => {
    const path = edited();
    const service = new DecodeService(analyzeModel);
    await expect(service.openComparison(blob(path))).rejects.toThrow(/no model/);
    const irA = await service.open(blob(sample));
    const softmax = stringIndex(irA.strings, 'Softmax');
    const nodeA = irA.nodeOp.indexOf(softmax);
    transfer(irA);
    const detailsA = await service.nodeDetails(nodeA);
    expect(detailsA.attributes.map((a) => a.name)).toContain('axis');

    const irB = await service.openComparison(blob(path));
    transfer(irB);
    const { a, b } = service.requirePair();
    const diff = await diffModels(a, b);
    const { report } = await diffFiles(sample, path);
    expect({
      added: diff.counts.added,
      removed: diff.counts.removed,
      changed: diff.counts.changed,
      matched: diff.counts.matched,
    }).toEqual({
      added: report.added.length,
      removed: report.removed.length,
      changed: report.changed.length,
      matched: report.matched,
    });
    expect(diff.changes.some((c) => c.kinds.includes('attributes'))).toBe(true);
    expect((await service.baselineNodeDetails(nodeA)).attributes.map((x) => x.name)).toContain('axis');

    // A plain open ends the comparison.
    await service.open(blob(sample));
    expect(() => service.requirePair()).toThrow(/no comparison/);
  });

  it('keeps A open when B fails to open', async () => {
    const service = new DecodeService(analyzeModel);
    const irA = await service.open(blob(sample));
    await expect(
      service.openComparison({ kind: 'blob', blob: new Blob([new Uint8Array(64)]), name: 'junk.onnx' }),
    ).rejects.toThrow();
    expect((await service.nodeDetails(0)).attributes).toBeDefined();
    expect(() => service.requirePair()).toThrow();
    expect(irA.nodeCount).toBeGreaterThan(0);
  });
});

describe('pairFromFiles (two dropped models)', () => {
  const file = (name: string, size = 10) => new File([new Uint8Array(size)], name);
  it('pairs two definitions of one format, A sorting first, other files travelling with both', () => {
    const data = file('weights.data');
    const pair = pairFromFiles([file('model_v2.onnx', 50), data, file('model_v1.onnx')]);
    expect(pair?.map((p) => (p.kind === 'blob' ? p.name : ''))).toEqual(['model_v1.onnx', 'model_v2.onnx']);
    expect(pair?.[0].kind === 'blob' && pair[0].siblings).toEqual([data]);
  });
  it('leaves every other drop to the single-model open', () => {
    expect(pairFromFiles([file('a.onnx')])).toBeNull();
    expect(pairFromFiles([file('a.onnx'), file('b.tflite')])).toBeNull();
    expect(pairFromFiles([file('a.param'), file('a.bin')])).toBeNull();
    expect(pairFromFiles([file('a.onnx'), file('b.onnx'), file('c.onnx')])).toBeNull();
  });
});
