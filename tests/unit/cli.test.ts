import { execFile } from 'node:child_process';
import { writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cacheDir, pythonReference, repoRoot, sharedModels } from '../helpers/models.ts';

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

describe('strata inspect', () => {
  it('prints the contract JSON for the bundled sample', async () => {
    const sample = resolve(repoRoot, 'samples/gpt-tiny.onnx');
    const { code, stdout } = await strata('inspect', sample, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    const ref = pythonReference([sample])[sample];
    expect(report.format).toBe('onnx');
    expect(report.graph.nodes).toBe(ref.nodes);
    expect(report.graph.ops).toEqual(ref.ops);
    expect(report.graph.initializers).toBe(ref.initializers);
    expect(report.graph.parameters).toBe(ref.parameters);
    expect(report.graph.inputs).toEqual([{ name: 'input_ids', type: 'int64', shape: ['batch', 'sequence'] }]);
    expect(report.graph.outputs.map((o: { name: string }) => o.name)).toEqual(ref.outputs);
    expect(report.graph.groups).toBeGreaterThan(4);
    expect(report.graph.subgraphs).toBe(0);
    expect(typeof report.timings.decodeMs).toBe('number');
  }, 60_000);

  it('prints a readable table without --json', async () => {
    const { code, stdout } = await strata('inspect', resolve(sharedModels, 'onnx/silero_vad_v5.onnx'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/op histogram/);
    expect(stdout).toMatch(/If\s+1/);
    expect(stdout).toMatch(/subgraphs\s+\d/);
  }, 60_000);

  it('fails with one clear line naming the file on a truncated model', async () => {
    mkdirSync(cacheDir, { recursive: true });
    const bad = resolve(cacheDir, 'truncated.onnx');
    writeFileSync(bad, readFileSync(resolve(sharedModels, 'onnx/mlsd_320x320_tiny.onnx')).subarray(0, 5000));
    const { code, stdout, stderr } = await strata('inspect', bad, '--json');
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('truncated.onnx');
    expect(lines[0]).toMatch(/end of file|truncated|past the end/);
  }, 60_000);

  it('fails clearly on a missing file and an unknown format', async () => {
    const missing = await strata('inspect', '/nonexistent/model.onnx');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('/nonexistent/model.onnx');
    const unknown = await strata('inspect', resolve(repoRoot, 'README.md'));
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/README\.md: unrecognised model format/);
  }, 60_000);
});
