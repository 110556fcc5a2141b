import type { ByteSource } from '../decode/byte-source.ts';
import { NodeAttributes, decodeOnnxAttributes } from '../decode/onnx/attributes.ts';
import { loadSmallConstants } from '../decode/small-constants.ts';
import { ValueFlag, nodeOutputIds, type GraphIR } from '../graph/ir.ts';
import { computeMetrics, type NodeMetrics } from '../graph/metrics.ts';
import { ATTRIBUTE_OPS } from '../graph/shapes/attributes.ts';
import { inferShapes, type InferredShapes } from '../graph/shapes/infer.ts';

/**
 * The whole "profile the structure" pipeline for one model: read what shape inference needs from the file
 * (attributes of shape-relevant ONNX nodes, small constants — a few range reads, never the weights), infer shapes,
 * compute per-node metrics. Runs in Node (CLI) and in the decode worker (it holds the ByteSource).
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
  attributes: NodeAttributes | null;
  timings: { attributesMs: number; constantsMs: number; inferenceMs: number; metricsMs: number };
}

export async function analyzeModel(source: ByteSource, ir: GraphIR, options: AnalyzeOptions = {}): Promise<ModelAnalysis> {
  const t0 = performance.now();
  let attributes: NodeAttributes | null = null;
  if (ir.format === 'onnx') {
    // Constant nodes whose `value` tensor the decoder already typed need nothing more (value_ints & co. do).
    // LayerNormalization's attributes only matter for its optional outputs (mean, inverse std).
    const constantOp = ir.strings.indexOf('Constant');
    const layerNormOp = ir.strings.indexOf('LayerNormalization');
    attributes = await decodeOnnxAttributes(source, ir, ATTRIBUTE_OPS, (n) => {
      const op = ir.nodeOp[n];
      if (op === layerNormOp) return nodeOutputIds(ir, n).length > 1;
      if (op !== constantOp) return true;
      const out = nodeOutputIds(ir, n);
      return out.length === 1 && out[0] >= 0 && !(ir.valueFlags[out[0]] & ValueFlag.HasShape);
    });
  }
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
export function unresolvedSummary(shapes: InferredShapes): string[] {
  return Object.entries(shapes.unresolved).sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ×${n}`);
}
