import type { OpenModel } from '../decode/decoder.ts';
import { loadSmallConstants } from '../decode/small-constants.ts';
import { computeMetrics, type NodeMetrics } from '../graph/metrics.ts';
import { ATTRIBUTE_OPS, type AttributeLookup } from '../graph/shapes/attributes.ts';
import { inferShapes, type InferredShapes } from '../graph/shapes/infer.ts';

/**
 * The whole "profile the structure" pipeline for one model: read what shape inference needs from the file
 * (attributes of shape-relevant nodes when the format offers them, small constants — a few range reads, never the
 * weights), infer shapes, compute per-node metrics. Runs in Node (CLI) and in the decode worker (it holds the model).
 */

export interface AnalyzeOptions {
  /** Symbolic dimension values, e.g. `{ batch: 1, sequence: 128 }`. */
  dims?: Record<string, number>;
  /** Value for other unknown symbolic dims. Default 1. */
  defaultDim?: number;
  /** Largest constant payload read for shape inference. Default 1 KiB. */
  maxConstantBytes?: number;
}

export interface ModelAnalysis {
  shapes: InferredShapes;
  metrics: NodeMetrics;
  attributes: AttributeLookup | null;
  timings: { attributesMs: number; constantsMs: number; inferenceMs: number; metricsMs: number };
}

export async function analyzeModel(model: OpenModel, options: AnalyzeOptions = {}): Promise<ModelAnalysis> {
  const { ir, source } = model;
  const t0 = performance.now();
  const attributes = model.attributesFor ? await model.attributesFor(ATTRIBUTE_OPS) : null;
  const t1 = performance.now();
  const constants = await loadSmallConstants(source, ir, options.maxConstantBytes ?? 1024);
  const t2 = performance.now();
  const shapes = inferShapes(ir, { dims: options.dims, defaultDim: options.defaultDim, constants, attributes });
  const t3 = performance.now();
  const metrics = computeMetrics(ir, shapes, { attributes });
  const t4 = performance.now();
  return {
    shapes,
    metrics,
    attributes,
    timings: { attributesMs: t1 - t0, constantsMs: t2 - t1, inferenceMs: t3 - t2, metricsMs: t4 - t3 },
  };
}

/** Op types whose outputs stayed (partly) unknown, most frequent first: what to look at when FLOPs look low. */
export function unresolvedSummary(unresolved: Readonly<Record<string, number>>): string[] {
  return Object.entries(unresolved)
    .sort((a, b) => b[1] - a[1])
    .map(([op, n]) => `${op} ×${n}`);
}
