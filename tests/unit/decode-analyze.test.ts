import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import { analyzeModel } from '../../src/profile/analyze.ts';
import { DecodeService } from '../../src/decode/service.ts';
import { columnBuffers } from '../../src/graph/column-buffers.ts';
import { repoRoot } from '../helpers/models.ts';

const GPT_TINY = resolve(repoRoot, 'samples/gpt-tiny.onnx');

describe('DecodeService.analyze (the decode worker surface)', () => {
  it('returns the same per-node metrics as analyzeModel on the file, and follows the symbolic dims', async () => {
    const service = new DecodeService(analyzeModel);
    await expect(service.analyze({})).rejects.toThrow(/no model/);
    const bytes = readFileSync(GPT_TINY);
    const ir = await service.open({ kind: 'blob', blob: new Blob([bytes]), name: 'gpt-tiny.onnx' });
    // The worker transfers the returned IR to the page, detaching its buffers here; the open model must not care.
    const nodeCount = ir.nodeCount;
    structuredClone(ir, { transfer: columnBuffers(ir) });
    expect(ir.nodeOp.length).toBe(0);
    const r = await service.analyze({ batch: 1, sequence: 128 });
    expect(r.metrics.flops.length).toBe(nodeCount);
    expect(r.metrics.totals.parameters).toBeGreaterThan(0);
    expect(r.metrics.totals.flops).toBeGreaterThan(0);

    const source = await NodeFileSource.open(GPT_TINY);
    try {
      const { model } = await openModelFile(source);
      const a = await analyzeModel(model, { dims: { batch: 1, sequence: 128 } });
      expect(r.metrics.totals.parameters).toBe(a.metrics.totals.parameters);
      expect(r.metrics.totals.flops).toBe(a.metrics.totals.flops);
      expect(Array.from(r.metrics.flops)).toEqual(Array.from(a.metrics.flops));
    } finally {
      await source.close?.();
    }

    const longer = await service.analyze({ batch: 1, sequence: 256 });
    expect(longer.metrics.totals.flops).toBeGreaterThan(r.metrics.totals.flops);
    expect(longer.metrics.totals.parameters).toBe(r.metrics.totals.parameters);
  });
});
