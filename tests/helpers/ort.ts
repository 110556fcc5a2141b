import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFile } from '../../src/decode/decode-file.ts';
import { graphInputIds, str, valueShape } from '../../src/graph/ir.ts';
import { bindSymbol } from '../../src/graph/shapes/infer.ts';

/**
 * Runs a model in ONNX Runtime (onnxruntime-node, CPU) with profiling on and returns the profile (chrome-trace
 * events) and the output shapes. Inputs are zeros shaped from the model's declared inputs, symbolic dims bound the
 * way shape inference binds them (`dims`, then batch/sequence defaults, else `defaultDim`). Shared by unit and e2e
 * tests.
 */

export interface OrtRunOptions {
  dims?: Record<string, number>;
  defaultDim?: number;
  runs?: number;
  /** Keep node names as in the file (default). Other levels fuse nodes, which then do not map back. */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
}

export interface OrtRunResult {
  profile: unknown[];
  profilePath: string;
  outputs: Record<string, number[]>;
  /** The input shapes that were fed. */
  inputs: Record<string, number[]>;
  /** Removes the temporary profile directory. */
  cleanup(): void;
}

interface OrtTensorCtor {
  new (type: string, data: unknown, dims: number[]): unknown;
}
interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, { dims: readonly number[] }>>;
  endProfiling(): unknown;
  release(): Promise<void>;
}
interface OrtModule {
  Tensor: OrtTensorCtor;
  InferenceSession: { create(path: string, options: Record<string, unknown>): Promise<OrtSession> };
}

const require = createRequire(import.meta.url);
export const ort = (): OrtModule => require('onnxruntime-node') as OrtModule;

const TYPED: Record<string, (n: number) => unknown> = {
  float32: (n) => new Float32Array(n),
  float64: (n) => new Float64Array(n),
  int64: (n) => new BigInt64Array(n),
  int32: (n) => new Int32Array(n),
  int8: (n) => new Int8Array(n),
  uint8: (n) => new Uint8Array(n),
  bool: (n) => new Uint8Array(n),
};

export async function ortProfile(modelPath: string, options: OrtRunOptions = {}): Promise<OrtRunResult> {
  const { Tensor, InferenceSession } = ort();
  const ir = await decodeFile(modelPath);
  const dims = options.dims ?? {};
  const defaultDim = options.defaultDim ?? 1;
  const feeds: Record<string, unknown> = {};
  const inputs: Record<string, number[]> = {};
  for (const v of graphInputIds(ir, 0)) {
    const name = str(ir, ir.valueName[v]);
    const shape = (valueShape(ir, v) ?? []).map((d, axis) => {
      if (typeof d === 'string') return bindSymbol(d, dims, defaultDim);
      if (d >= 0) return d;
      return dims[`${name}:${axis}`] ?? defaultDim;
    });
    const type =
      ['undefined', 'float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool'][
        ir.valueDtype[v]
      ] ?? 'float32';
    const make = TYPED[type];
    if (!make) throw new Error(`ortProfile: no zero feed for input ${name} of type ${type}`);
    feeds[name] = new Tensor(type, make(shape.reduce((a, b) => a * b, 1)), shape);
    inputs[name] = shape;
  }
  const dir = mkdtempSync(join(tmpdir(), 'strata-ort-'));
  const session = await InferenceSession.create(modelPath, {
    enableProfiling: true,
    profileFilePrefix: join(dir, 'profile'),
    graphOptimizationLevel: options.optimization ?? 'disabled',
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    logSeverityLevel: 3,
  });
  let result: Record<string, { dims: readonly number[] }> = {};
  for (let i = 0; i < (options.runs ?? 1); i++) result = await session.run(feeds);
  session.endProfiling();
  await session.release();
  const file = readdirSync(dir).find((f) => f.startsWith('profile') && f.endsWith('.json'));
  if (!file) throw new Error(`ortProfile: ONNX Runtime wrote no profile in ${dir}`);
  const profilePath = join(dir, file);
  const outputs: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(result)) outputs[name] = [...t.dims];
  return {
    profile: JSON.parse(readFileSync(profilePath, 'utf8')) as unknown[],
    profilePath,
    outputs,
    inputs,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
