import type { GraphIR } from '../graph/ir.ts';
import type { NodeDetails } from './decoder.ts';
import type { NodeMetrics } from '../graph/metrics.ts';

/** Per-node structure metrics of the open model (typed arrays are transferred), plus shape-inference notes. */
export interface AnalysisResult {
  metrics: NodeMetrics;
  /** Op type → nodes whose outputs stayed (partly) unknown. */
  unresolved: Record<string, number>;
  ms: number;
}

export type ModelInput = { kind: 'blob'; blob: Blob; name: string; siblings?: Blob[] } | { kind: 'url'; url: string };

export interface TensorStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  zeros: number;
  nan: number;
}

export interface TensorPreview {
  dtype: string;
  shape: (number | string)[] | null;
  byteLength: number;
  /** First values, formatted. */
  values: string[];
  /** Over the whole tensor when it is small enough, else over the first `sampled` elements. */
  stats: TensorStats | null;
  sampled: number;
  note?: string;
}

/** The decode worker's comlink surface. */
export interface DecodeApi {
  /** Decodes a model; progress(bytesRead, total) is called as the file streams. Cancels any open in flight. */
  open(input: ModelInput, progress?: (read: number, total: number) => void): Promise<GraphIR>;
  cancel(): Promise<void>;
  nodeDetails(node: number): Promise<NodeDetails>;
  /** Reads a constant's bytes by range (never more than a bounded sample) and summarises them. */
  tensorPreview(value: number): Promise<TensorPreview>;
  /** Shape inference + params/MACs/FLOPs/activation bytes per node, symbolic dims bound by `dims`. */
  analyze(dims: Record<string, number>): Promise<AnalysisResult>;
  /**
   * Opens a second model to compare with the open one: the open model becomes the baseline (side A) and the new
   * one (side B) the open model, so details, previews and analysis then refer to B. On failure A stays open.
   */
  openComparison(input: ModelInput, progress?: (read: number, total: number) => void): Promise<GraphIR>;
  /** Details of a node of the baseline (side A) while a comparison is open. */
  baselineNodeDetails(node: number): Promise<NodeDetails>;
}
