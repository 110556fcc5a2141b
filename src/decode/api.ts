import type { GraphIR } from '../graph/ir.ts';
import type { NodeDetails } from './decoder.ts';
import type { NodeMetrics } from '../graph/metrics.ts';
import type { ValueShapes } from '../graph/shapes/value-shapes.ts';

/** Per-node structure metrics of the open model (typed arrays are transferred), plus shape-inference notes. */
export interface AnalysisResult {
  metrics: NodeMetrics;
  /** Op type → nodes whose outputs stayed (partly) unknown. */
  unresolved: Record<string, number>;
  /** Every value's shape after inference, for labels where the file records none. */
  shapes: ValueShapes;
  ms: number;
}

export type ModelInput = { kind: 'blob'; blob: Blob; name: string; siblings?: Blob[] } | { kind: 'url'; url: string };

/** The file name an input opens: a blob's name, or a URL's last path segment (decoded). */
export function inputName(input: ModelInput): string {
  if (input.kind === 'blob') return input.name;
  const path = input.url.split(/[?#]/)[0];
  try {
    return decodeURIComponent(path.split('/').pop() || input.url);
  } catch {
    return path.split('/').pop() || input.url;
  }
}

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

/**
 * What an operator box lists under its title, decided once per model in the decode worker: which nodes are folded
 * into their consumers, and per node its rows (CSR), each a short text and the constant value it stands for (-1
 * for attribute rows), plus a title suffix (TFLite fused activations: `CONV_2D | RELU6`).
 * Row texts repeat a lot (a 1M-node chain has ~700k rows and 8 distinct texts), so each row holds an index into
 * the distinct texts: the rows cross to the page as one typed array instead of a string each.
 */
export interface BoxRows {
  folded: Uint8Array;
  rowOffsets: Uint32Array;
  /** The distinct row texts. */
  texts: string[];
  /** Row → index in `texts` (see boxRowText). */
  rowText: Uint32Array;
  rowValue: Int32Array;
  /** Node → text appended to its op type in the title. */
  titles: Map<number, string>;
  /** False when the model was too large to decode every node's attributes up front (constant rows only). */
  attributes: boolean;
  timings: { foldMs: number; constantsMs: number; attributesMs: number };
}

/** The text of row `row` of the whole table (rowOffsets[node] + the node's row), '' past the end. */
export function boxRowText(rows: Pick<BoxRows, 'texts' | 'rowText'>, row: number): string {
  return row < rows.rowText.length ? rows.texts[rows.rowText[row]] : '';
}

/**
 * How the page wants a model it opens carried on to its first view. With a plan, the decode worker's entry
 * (workers/decode.worker.ts) hands the decoded model and its box row counts straight to the layout worker, which
 * groups it and lays out the opening view for the page to collect by `ticket`: the model never waits in the main
 * thread's queue on its way to the layout.
 */
export interface OpenPlan {
  /** Names this open; increasing per page, so the layout worker drops the views of superseded opens. */
  ticket: number;
  /** Fold constants into their consumers (the box rows the layout sizes boxes by). */
  fold: boolean;
  /** ELK time for the opening layout (0: the fast layout only). */
  elkBudgetMs: number;
}

/** The decode worker's end of the decode → layout channel (see OpenPlan). */
export interface DecodeChannel {
  /** The port to the layout worker; replaces the previous one (the page restarts the layout worker to cancel). */
  connectLayout(port: MessagePort): void;
}

/** The decode worker's comlink surface. */
export interface DecodeApi {
  /**
   * Decodes a model; progress(bytesRead, total) is called as the file streams. Cancels any open in flight. With a
   * `plan`, the model also goes on to the layout worker (see OpenPlan) before the page's copy is returned.
   */
  open(input: ModelInput, progress?: (read: number, total: number) => void, plan?: OpenPlan): Promise<GraphIR>;
  cancel(): Promise<void>;
  nodeDetails(node: number): Promise<NodeDetails>;
  /** Reads a constant's bytes by range (never more than a bounded sample) and summarises them. */
  tensorPreview(value: number): Promise<TensorPreview>;
  /**
   * What operator boxes list (decode/box-rows.ts): folded constants (when `fold`), constant rows with small values,
   * key attributes (models up to a few thousand nodes), fused activations. Asked once per model and fold setting;
   * after an open with a plan, the first call returns the rows already built for the layout worker.
   */
  boxRows(fold: boolean): Promise<BoxRows>;
  /** Shape inference + params/MACs/FLOPs/activation bytes per node, symbolic dims bound by `dims`. */
  analyze(dims: Record<string, number>): Promise<AnalysisResult>;
  /**
   * Opens a second model to compare with the open one: the open model becomes the baseline (side A) and the new
   * one (side B) the open model, so details, previews and analysis then refer to B. On failure A stays open.
   */
  openComparison(
    input: ModelInput,
    progress?: (read: number, total: number) => void,
    plan?: OpenPlan,
  ): Promise<GraphIR>;
  /** Details of a node of the baseline (side A) while a comparison is open. */
  baselineNodeDetails(node: number): Promise<NodeDetails>;
}
