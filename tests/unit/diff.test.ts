import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffFiles } from '../../src/cli/diff.ts';
import { ChangeBit, MatchMethod, NodeStatus } from '../../src/diff/types.ts';
import { str } from '../../src/graph/ir.ts';
import { cacheDir, gptExport, repoRoot, sharedModels } from '../helpers/models.ts';
import { ort } from '../helpers/ort.ts';

/**
 * The diff engine and `strata diff` on real pairs made here: a copy with every name replaced, a copy with a node
 * removed, one added and an attribute changed (python onnx), ONNX Runtime's optimized model against its original,
 * torch exports with 4 and 5 layers, and TFLite files.
 */

const sample = resolve(repoRoot, 'samples/gpt-tiny.onnx');
const variantScript = resolve(repoRoot, 'tests/helpers/diff_variants.py');
const dir = resolve(cacheDir, 'diff');

function variant(mode: 'rename' | 'edit', src: string): { path: string; info: Record<string, string | number> } {
  mkdirSync(dir, { recursive: true });
  const path = resolve(dir, `${mode}-${process.pid}.onnx`);
  const out = execFileSync('/usr/bin/python3', [variantScript, mode, src, path], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { path, info: JSON.parse(out) };
}

describe('diff engine on real pairs', () => {
  it('finds a model equal to itself, every node paired by name', async () => {
    const { report, input } = await diffFiles(sample, sample, { bytes: true });
    expect(report.equal).toBe(true);
    expect(report.matched).toBe(input.irA.nodeCount);
    expect(report.added).toEqual([]);
    expect(report.removed).toEqual([]);
    expect(report.changed).toEqual([]);
    expect(report.renamed).toEqual([]);
    expect(report.counts.byName).toBe(input.irA.nodeCount);
    expect(report.totals.delta.parameters).toBe(0);
    expect(report.totals.a.flops).toBeGreaterThan(0);
  });

  it('matches a copy with every node and tensor renamed node for node, as renames', async () => {
    const { path, info } = variant('rename', sample);
    const { report, input } = await diffFiles(sample, path, { bytes: true });
    const { diff, irA, irB } = input;
    expect(irB.nodeCount).toBe(info.nodes);
    expect(report.matched).toBe(irA.nodeCount);
    expect(report.added).toEqual([]);
    expect(report.removed).toEqual([]);
    expect(report.changed).toEqual([]);
    expect(report.renamed).toHaveLength(irA.nodeCount);
    expect(report.equal).toBe(false);
    expect(diff.counts.byName).toBe(0);
    // Node for node: the copy keeps the order, so node i pairs with node i, and every rename is the hashed name.
    for (let n = 0; n < irA.nodeCount; n++) expect(diff.pairOfA[n]).toBe(n);
    for (const r of diff.renames) expect(str(irB, irB.nodeName[r.nodeB])).toMatch(/^r_[0-9a-f]{12}$/);
    expect(Array.from(diff.statusB).every((s) => s === NodeStatus.Unchanged)).toBe(true);
    expect(Array.from(diff.reasonsB).every((r) => r === ChangeBit.Renamed)).toBe(true);
  });

  it('reports a removed node, an added node and a changed attribute; other changes are re-wirings', async () => {
    const { path, info } = variant('edit', sample);
    const { report, input } = await diffFiles(sample, path);
    expect(report.removed).toEqual([info.removed]);
    expect(report.added).toEqual([info.added]);
    expect(report.matched).toBe(input.irA.nodeCount - 1);
    expect(report.renamed).toEqual([]);
    const attr = report.changed.find((c) => c.b === info.attribute);
    expect(attr?.what).toContain('attribute axis: -1 → 3');
    expect(attr?.kinds).toEqual(['attributes']);
    // The Tanh's reader and the Softmax's reader now read from elsewhere: changed, with the reason.
    const rewired = report.changed.filter((c) => c !== attr);
    expect(rewired.length).toBeGreaterThanOrEqual(2);
    for (const c of rewired) {
      expect(c.kinds).toEqual(['rewired']);
      expect(c.what.join('\n')).toMatch(/^input \d+: now from .* \(was .*\)$/m);
    }
    expect(rewired.some((c) => c.what.some((w) => w.includes('now from inserted_relu')))).toBe(true);
    expect(rewired.some((c) => c.what.some((w) => w.includes(`(was ${info.removed})`)))).toBe(true);
    // Weight bytes are compared only on request.
    expect(report.changed.some((c) => c.b === info.weightNode)).toBe(false);
    const withBytes = await diffFiles(sample, path, { bytes: true });
    const weight = withBytes.report.changed.find((c) => c.b === info.weightNode);
    expect(weight?.kinds).toEqual(['constant-bytes']);
    expect(withBytes.report.changed).toHaveLength(report.changed.length + 1);
    // Per-group counts and typed arrays agree with the lists.
    expect(report.groups['']).toEqual({ added: 1, removed: 1, changed: report.changed.length });
    const { diff } = input;
    expect(diff.statusA[diff.removed[0]]).toBe(NodeStatus.Removed);
    expect(diff.statusB[diff.added[0]]).toBe(NodeStatus.Added);
    expect(diff.ghostAnchorA[diff.removed[0]]).toBeGreaterThanOrEqual(0);
  });

  describe('ONNX Runtime optimized model against its original', () => {
    let optimized = '';
    beforeAll(async () => {
      mkdirSync(dir, { recursive: true });
      optimized = resolve(dir, `gpt-tiny.ort-extended-${process.pid}.onnx`);
      const session = await ort().InferenceSession.create(sample, {
        graphOptimizationLevel: 'extended',
        optimizedModelFilePath: optimized,
        executionProviders: ['cpu'],
        logSeverityLevel: 3,
      });
      await session.release();
    });

    it('pairs untouched nodes by name and reports fused ops as added, their parts as removed', async () => {
      expect(existsSync(optimized)).toBe(true);
      const { report, input } = await diffFiles(sample, optimized);
      const { diff, irA, irB } = input;
      const opsA = new Set(Array.from(irA.nodeOp, (s) => str(irA, s)));
      // Fusion happened: ops that only exist after optimization, and fewer nodes.
      const newOps = new Set(Array.from(irB.nodeOp, (s) => str(irB, s)).filter((op) => !opsA.has(op)));
      expect(newOps.size).toBeGreaterThan(0);
      expect(irB.nodeCount).toBeLessThan(irA.nodeCount);
      for (let n = 0; n < irB.nodeCount; n++) {
        if (newOps.has(str(irB, irB.nodeOp[n]))) expect(diff.statusB[n]).toBe(NodeStatus.Added);
      }
      expect(report.removed.length).toBeGreaterThan(report.added.length);
      // A node that kept its name and op is paired with its original.
      const byName = new Map<string, number>();
      for (let n = 0; n < irA.nodeCount; n++) byName.set(str(irA, irA.nodeName[n]), n);
      let kept = 0;
      let keptByName = 0;
      for (let n = 0; n < irB.nodeCount; n++) {
        const a = byName.get(str(irB, irB.nodeName[n]));
        if (a === undefined || irA.nodeOp[a] === undefined || str(irA, irA.nodeOp[a]) !== str(irB, irB.nodeOp[n]))
          continue;
        kept++;
        expect(diff.pairOfB[n]).toBe(a);
        if (diff.matchedBy[n] === MatchMethod.Name) keptByName++;
      }
      expect(kept).toBeGreaterThan(50);
      // Name pairs next to fusions can be dropped for disagreeing wiring; neighbours then find the same pair.
      expect(keptByName).toBeGreaterThan(kept * 0.75);
      expect(report.matched + report.added.length).toBe(irB.nodeCount);
      expect(report.matched + report.removed.length).toBe(irA.nodeCount);
    });
  });

  it('torch exports with 4 and 5 layers: the fifth block is added, nothing removed', async () => {
    const four = gptExport(4);
    const five = gptExport(5);
    const { report, input } = await diffFiles(four, five);
    expect(report.removed).toEqual([]);
    const block = report.added.filter((n) => n.startsWith('/h.4/'));
    expect(block.length).toBeGreaterThan(20);
    // Everything added belongs to the new block, apart from unscoped helper nodes the exporter numbers globally.
    expect(block.length).toBeGreaterThanOrEqual(report.added.length * 0.8);
    expect(report.matched).toBe(input.irA.nodeCount);
    // The hierarchy adopts the block's unscoped helpers, so its group counts every added node.
    expect(report.groups['h.4']?.added).toBe(input.irB.nodeCount - input.irA.nodeCount);
    // Globally numbered helpers (Identity_6 in A is Identity_10 in B) pair by structure, as renames.
    expect(report.renamed.length).toBeGreaterThan(0);
    for (const r of report.renamed) expect(r.a.startsWith('/h.') || r.b.startsWith('/h.')).toBe(false);
    // The final norm now reads the new block's output: changed as re-wired.
    expect(report.changed.some((c) => c.b.startsWith('/ln_f/') && c.kinds.includes('rewired'))).toBe(true);
    expect(report.totals.delta.parameters).toBeGreaterThan(0);
    expect(report.totals.delta.flops).toBeGreaterThan(0);
  }, 600_000);

  it('TFLite: a file against itself is equal; unrelated files differ and say attributes were not compared', async () => {
    // ../shared/models/tflite holds three unrelated MediaPipe models (face detection, hand and pose landmarks),
    // no two versions of one model, so there is no related pair to compare.
    const hand = resolve(sharedModels, 'tflite/hand_landmark_full.tflite');
    const pose = resolve(sharedModels, 'tflite/pose_landmark_full.tflite');
    const same = await diffFiles(hand, hand, { bytes: true });
    expect(same.report.equal).toBe(true);
    expect(same.report.matched).toBe(same.input.irA.nodeCount);
    expect(same.report.notes.join('\n')).toMatch(/attributes not compared: the tflite decoder/);
    const other = await diffFiles(hand, pose);
    expect(other.report.equal).toBe(false);
    expect(other.report.matched + other.report.added.length).toBe(other.input.irB.nodeCount);
    expect(other.report.matched + other.report.removed.length).toBe(other.input.irA.nodeCount);
  });
});

describe('strata diff CLI', () => {
  const run = promisify(execFile);
  const cli = resolve(repoRoot, 'bin/strata.js');
  async function strata(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [cli, ...args], { cwd: repoRoot });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('exits 0 for equal models and prints the contract JSON', async () => {
    const { code, stdout } = await strata('diff', sample, sample, '--json');
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r).toMatchObject({ matched: 537, added: [], removed: [], changed: [], renamed: [], groups: {} });
    expect(Object.keys(r.totals)).toEqual(expect.arrayContaining(['a', 'b', 'delta']));
    expect(r.totals.a.parameters).toBe(r.totals.b.parameters);
  });

  it('exits 1 when the models differ, with names and reasons in the JSON and a readable summary', async () => {
    const { path, info } = variant('edit', sample);
    const json = await strata('diff', sample, path, '--json');
    expect(json.code).toBe(1);
    const r = JSON.parse(json.stdout);
    expect(r.added).toEqual([info.added]);
    expect(r.removed).toEqual([info.removed]);
    expect(r.changed.find((c: { b: string }) => c.b === info.attribute)).toMatchObject({
      a: info.attribute,
      what: ['attribute axis: -1 → 3'],
    });
    expect(r.renamed).toEqual([]);
    expect(r.groups['']).toMatchObject({ added: 1, removed: 1 });
    const text = await strata('diff', sample, path);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/added 1\s+removed 1/);
    expect(text.stdout).toContain(`- ${info.removed}`);
    expect(text.stdout).toContain('+ inserted_relu');
  });

  it('exits 2 with one stderr line naming the file on a missing or broken model', async () => {
    const missing = await strata('diff', sample, '/nonexistent/b.onnx', '--json');
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr.trim().split('\n')).toEqual(['strata: /nonexistent/b.onnx: no such file']);
    mkdirSync(dir, { recursive: true });
    const bad = resolve(dir, 'truncated.onnx');
    writeFileSync(bad, readFileSync(sample).subarray(0, 3000));
    const broken = await strata('diff', bad, sample);
    expect(broken.code).toBe(2);
    const lines = broken.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('truncated.onnx');
    const usage = await strata('diff', sample);
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim().split('\n')).toHaveLength(1);
  });
});
