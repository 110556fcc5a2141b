import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import type { ModelDecoder, OpenModel } from '../../src/decode/decoder.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { buildHierarchy } from '../../src/graph/hierarchy/build.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';

export type Outcome = 'ok' | 'rejected' | 'failure';

export interface CheckResult {
  outcome: Outcome;
  /** Wall time of the decode itself. */
  ms: number;
  /** For failures: what went wrong; for rejections: the DecodeError line. */
  message: string;
  /** Which step failed: decode, validate, details, preview, summary, hierarchy, time. */
  stage?: string;
}

export interface CheckOptions {
  /** A decode slower than this (ms) is a failure. */
  timeLimitMs?: number;
  /** Go through detectFormat (the real entry point) instead of calling the decoder directly. */
  viaRegistry?: boolean;
  /** Also run what `strata inspect` and the viewer run on a decoded IR: summary, hierarchy, details, previews. */
  downstream?: boolean;
}

const describe = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${err.message}` : `thrown non-Error ${String(err)}`;

/**
 * The fuzz property for one input: decoding ends in a GraphIR that passes validateIR, or in a DecodeError that
 * names the file, within the time limit; nothing else (TypeError, RangeError, stack overflow, a hang) escapes.
 */
export async function checkInput(
  decoder: ModelDecoder,
  bytes: Uint8Array,
  name: string,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const first = await checkOnce(decoder, bytes, name, options);
  // A slow case is timed again: on a loaded 2-core machine one GC pause or preemption is not a finding.
  if (first.stage === 'time') return checkOnce(decoder, bytes, name, options);
  return first;
}

async function checkOnce(
  decoder: ModelDecoder,
  bytes: Uint8Array,
  name: string,
  options: CheckOptions,
): Promise<CheckResult> {
  const source = new BufferSource(bytes, name);
  const t0 = performance.now();
  let model: OpenModel;
  try {
    model = options.viaRegistry ? (await openModelFile(source)).model : await decoder.open(source);
  } catch (err) {
    const ms = performance.now() - t0;
    if (!(err instanceof DecodeError)) return { outcome: 'failure', ms, stage: 'decode', message: describe(err) };
    const line = err.describe();
    if (!line.includes(name))
      return { outcome: 'failure', ms, stage: 'decode', message: `DecodeError does not name the file: ${line}` };
    if (options.timeLimitMs && ms > options.timeLimitMs)
      return { outcome: 'failure', ms, stage: 'time', message: `rejected after ${ms.toFixed(0)} ms` };
    return { outcome: 'rejected', ms, message: line };
  }
  const ms = performance.now() - t0;
  const { ir } = model;
  if (options.timeLimitMs && ms > options.timeLimitMs)
    return { outcome: 'failure', ms, stage: 'time', message: `decoded in ${ms.toFixed(0)} ms` };
  const problems = validateIR(ir, { fileSize: bytes.length, maxProblems: 5 });
  if (problems.length) return { outcome: 'failure', ms, stage: 'validate', message: problems.join('; ') };
  if (options.downstream) {
    const failure = await downstream(model, source);
    if (failure) return { outcome: 'failure', ms, ...failure };
  }
  return { outcome: 'ok', ms, message: `${ir.nodeCount} nodes` };
}

async function downstream(model: OpenModel, source: BufferSource): Promise<{ stage: string; message: string } | null> {
  const { ir } = model;
  let stage = 'summary';
  try {
    JSON.stringify(summarize(ir));
    stage = 'hierarchy';
    buildHierarchy(ir);
    stage = 'details';
    if (ir.nodeCount) {
      for (const n of new Set([0, ir.nodeCount >> 1, ir.nodeCount - 1])) {
        try {
          await model.nodeDetails(n);
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err;
        }
      }
    }
    stage = 'preview';
    let previews = 0;
    for (let v = 0; v < ir.valueCount && previews < 3; v++) {
      if (ir.valueDataOffset[v] < 0) continue;
      previews++;
      try {
        await tensorPreview(source, ir, v);
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
      }
    }
  } catch (err) {
    return { stage, message: describe(err) };
  }
  return null;
}
