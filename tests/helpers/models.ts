import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ByteSource } from '../../src/decode/io/byte-source.ts';
import type { Strings } from '../../src/graph/string-list.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedModels = resolve(repoRoot, '../shared/models');
export const sharedScripts = resolve(repoRoot, '../shared/scripts');
export const cacheDir = resolve(repoRoot, '.cache/models');
const PYTHON = '/usr/bin/python3';

/** Runs a generator once and caches its output under .cache/models (tests and benches share it). */
export function generated(name: string, script: string, args: string[]): string {
  const out = resolve(cacheDir, name);
  if (!existsSync(out)) {
    mkdirSync(dirname(out), { recursive: true });
    // Written in a private folder under its final name (side files such as external data keep the names the
    // model refers to), then moved: another process may be generating the same file.
    const tmpDir = resolve(cacheDir, `.tmp-${process.pid}`);
    mkdirSync(tmpDir, { recursive: true });
    try {
      const tmp = resolve(tmpDir, basename(out));
      execFileSync(PYTHON, [script, ...args.map((a) => (a === '$OUT' ? tmp : a))], {
        stdio: 'pipe',
        timeout: 1_800_000,
      });
      for (const f of readdirSync(tmpDir))
        if (f !== basename(out)) renameSync(resolve(tmpDir, f), resolve(dirname(out), f));
      renameSync(tmp, out);
    } finally {
      rmSync(tmpDir, { recursive: true, force: true });
    }
  }
  return out;
}

export function gptExport(layers: number, dModel = 16, heads = 2, statik = false): string {
  return generated(
    `gpt_${layers}L_${dModel}d${statik ? '_static' : ''}.onnx`,
    resolve(sharedScripts, 'export_gpt_decoder.py'),
    [String(layers), String(dModel), String(heads), '$OUT', ...(statik ? ['--static'] : [])],
  );
}

export function chainModel(nodes: number): string {
  return generated(`chain_${nodes}.onnx`, resolve(sharedScripts, 'gen_chain_onnx.py'), [String(nodes), '$OUT']);
}

export function weightHeavy(sizeMb: number, external = false): string {
  return generated(
    `weights_${sizeMb}mb${external ? '_ext' : ''}.onnx`,
    resolve(repoRoot, 'bench/scripts/gen_weight_heavy.py'),
    [String(sizeMb), '$OUT', ...(external ? ['--external'] : [])],
  );
}

export interface ReferenceCounts {
  nodes: number;
  ops: Record<string, number>;
  initializers: number;
  parameters: number;
  inputs: string[];
  outputs: string[];
}

/** Counts from the python `onnx` package, the reference a correct decoder reproduces. */
export function pythonReference(paths: string[]): Record<string, ReferenceCounts> {
  const out = execFileSync(PYTHON, [resolve(repoRoot, 'bench/scripts/onnx_reference.py'), ...paths], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 600_000,
  });
  return JSON.parse(out);
}

/** A ByteSource wrapper that counts what a decoder really reads (to prove weights are skipped). */
export class CountingSource implements ByteSource {
  bytesRead = 0;
  reads = 0;
  constructor(private readonly inner: ByteSource) {}
  get name() {
    return this.inner.name;
  }
  get size() {
    return this.inner.size;
  }
  async read(offset: number, length: number) {
    const b = await this.inner.read(offset, length);
    this.bytesRead += b.length;
    this.reads++;
    return b;
  }
  sibling(name: string) {
    return this.inner.sibling?.(name) ?? Promise.resolve(null);
  }
}

/** The index of `s` in a string table, -1 when absent (tests look names up; the app keeps its own maps). */
export function stringIndex(strings: Strings, s: string): number {
  for (let i = 0; i < strings.length; i++) if (strings.at(i) === s) return i;
  return -1;
}
