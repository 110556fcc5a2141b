import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReport, inspectFile } from '../../src/cli/inspect.ts';
import { parseDims } from '../../src/cli/main.ts';
import { repoRoot } from '../helpers/models.ts';

const GPT_TINY = resolve(repoRoot, 'samples/gpt-tiny.onnx');

describe('strata inspect metrics', () => {
  it('adds metrics (top groups, bound dims) and keeps the contract fields', async () => {
    const r = await inspectFile(GPT_TINY, { dims: { sequence: 16 } });
    expect(r.graph.parameters).toBe(272_768);
    expect(r.graph.nodes).toBe(537);
    expect(r.metrics.dims).toEqual({ batch: 1, sequence: 16 });
    expect(r.metrics.macs).toBeGreaterThan(0);
    expect(r.metrics.flops).toBeGreaterThan(2 * r.metrics.macs);
    expect(r.metrics.topGroupsByFlops.length).toBeLessThanOrEqual(10);
    expect(r.metrics.topGroupsByFlops[0]).toMatchObject({ path: 'h.0' });
    expect(r.metrics.topGroupsByParams[0].params).toBeGreaterThan(40_000);
    for (const t of r.metrics.topGroupsByFlops) expect(t.share).toBeCloseTo(t.flops / r.metrics.flops, 3);
    expect(r.metrics.unknownCostNodes).toBe(0);
    const text = formatReport(r);
    expect(text).toMatch(/FLOPs\s+7\.\d+ M/);
    expect(text).toMatch(/top groups by FLOPs\n\s+h\.0\s/);
    // Longer sequences cost more.
    const long = await inspectFile(GPT_TINY);
    expect(long.metrics.dims.sequence).toBe(128);
    expect(long.metrics.flops).toBeGreaterThan(8 * r.metrics.flops);
  });

  it('parses --dim flags', () => {
    expect(parseDims(['inspect', 'm.onnx', '--dim', 'batch=2', '--dim=sequence=64', '--json'])).toEqual({
      batch: 2,
      sequence: 64,
    });
    expect(parseDims(['inspect', 'm.onnx', '--dim', 'input:1=512'])).toEqual({ 'input:1': 512 });
    expect(parseDims(['inspect', 'm.onnx', '--dim', 'batch'])).toMatch(/NAME=N/);
    expect(parseDims(['inspect', 'm.onnx', '--dim'])).toMatch(/got nothing/);
  });
});
