import { copyColumns, isShared, shareColumns, sharedCopy } from '../graph/column-buffers.ts';
import { ByteStringList } from '../graph/string-list.ts';
import type { GraphIR } from '../graph/ir.ts';
import type { NodeMetrics } from '../graph/metrics.ts';
import { valueShapesOf } from '../graph/shapes/value-shapes.ts';
import type { InferredShapes } from '../graph/shapes/infer.ts';
import type { AnalysisResult, BoxRows, DecodeApi, ModelInput, TensorPreview } from './api.ts';
import type { NodeDetails, OpenModel } from './decoder.ts';
import { CancelledError, DecodeError, describeError } from './errors.ts';
import { explainFailure } from './explain-error.ts';
import type { ByteSource } from './io/byte-source.ts';
import { openInput } from './io/open-source.ts';
import { ProgressSource } from './io/progress-source.ts';
import { detectFormat } from './registry.ts';
import { tensorPreview } from './tensor-preview.ts';
import { buildBoxRows } from './box-rows.ts';
import { layoutIR } from './layout-ir.ts';
import { type OpFacts, opFactsFor } from './input-roles.ts';
import { PrefetchSource } from './io/prefetch-source.ts';

/**
 * Attribute rows are decoded for every node up to this size (one merged pass over the node records: ~0.1 s for
 * 5k ONNX nodes); larger models list constants only, their attributes stay one click away.
 */
const MAX_ATTRIBUTE_ROW_NODES = 5000;

/**
 * The structure analysis (profile/analyze.ts `analyzeModel`). It is handed in by the worker entry because profile/
 * reads models through decode/: importing it here would make the two folders depend on each other.
 */
export type AnalyzeModel = (
  model: OpenModel,
  options: { dims: Record<string, number> },
) => Promise<{ metrics: NodeMetrics; shapes: InferredShapes }>;

/**
 * The decode worker's state: the one open model, kept so node details and tensor bytes are read lazily by range.
 * Plain class so Node tests drive it without a worker.
 */
export class DecodeService implements DecodeApi {
  private model: OpenModel | null = null;
  private prefetch: PrefetchSource | null = null;
  /** The open model's operator facts (input roles, attribute defaults), loading while the page receives the IR. */
  private facts: { model: OpenModel; facts: Promise<OpFacts> } | null = null;
  /** The model the open one is compared against (side A), while a comparison is open. */
  private baseline: OpenModel | null = null;
  private generation = 0;
  /** Box rows started for the open model's first view, kept for the page's one `boxRows` call for it. */
  private firstRows: { model: OpenModel; fold: boolean; rows: Promise<BoxRows> } | null = null;

  constructor(private readonly analyzeModel: AnalyzeModel) {}

  /** Decodes a model and returns a transferable copy of its IR (see `irCopy`). */
  async open(input: ModelInput, progress?: (read: number, total: number) => void): Promise<GraphIR> {
    await this.load(input, progress);
    return this.irCopy();
  }

  /**
   * Decodes a model and makes it the open one, without copying its IR: the decode worker sends the layout worker
   * its copy first, and only then makes the page's (a memcpy of every column, ~0.5 s at 1M nodes).
   */
  async load(input: ModelInput, progress?: (read: number, total: number) => void): Promise<void> {
    const generation = ++this.generation;
    // The open model stays until another one replaces it: a failed open leaves the previous model usable.
    const checkCancelled = () => {
      if (generation !== this.generation) throw new CancelledError();
    };
    let source: ByteSource | null = null;
    try {
      source = await openInput(input);
      checkCancelled();
      const counted = withProgress(source, progress);
      const prefetch = new PrefetchSource(counted.source);
      const decoder = await detectFormat(prefetch);
      // The operator facts (for ONNX a 240 KB table) load while the file decodes: the box rows, and so the first
      // layout, wait for them.
      const facts = opFactsFor(decoder.id);
      facts.catch(() => undefined); // surfaces when boxRows awaits it
      const model = await decoder.open(prefetch, { onProgress: counted.onProgress, checkCancelled });
      counted.stop();
      source.releaseDecodeBuffers?.();
      this.prefetch = prefetch;
      checkCancelled();
      // The open model keeps its IR; other threads get copies (`irCopy`, `layoutCopy`): its detail and attribute
      // readers are closures over its columns, which a transfer would detach.
      this.model = model;
      this.firstRows = null;
      this.facts = { model, facts: model.ir.format === decoder.id ? facts : opFactsFor(model.ir.format) };
      this.facts.facts.catch(() => undefined); // surfaces when boxRows awaits it
      // A plain open ends any comparison; openComparison sets the baseline again after this returns.
      this.baseline = null;
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      const name = source?.name ?? (input.kind === 'blob' ? input.name : input.url);
      throw new Error(
        await userFacingFailure(describeError(err, err instanceof DecodeError && err.file ? '' : name), source),
      );
    }
  }

  async openComparison(input: ModelInput, progress?: (read: number, total: number) => void): Promise<GraphIR> {
    await this.loadComparison(input, progress);
    return this.irCopy();
  }

  /** `openComparison` without the copy (see `load`). */
  async loadComparison(input: ModelInput, progress?: (read: number, total: number) => void): Promise<void> {
    const a = this.require();
    const generation = this.generation + 1;
    try {
      await this.load(input, progress);
      this.baseline = a;
    } catch (err) {
      // The comparison failed to open: the viewer still shows A, so A stays the open model.
      if (generation === this.generation) this.model = a;
      throw err;
    }
  }

  async baselineNodeDetails(node: number): Promise<NodeDetails> {
    const { a } = this.requirePair();
    if (node < 0 || node >= a.ir.nodeCount) throw new Error(`no node ${node} in the baseline`);
    return a.nodeDetails(node);
  }

  /** Both sides of the open comparison (A the baseline, B the open model), for the diff engine in the worker. */
  requirePair(): { a: OpenModel; b: OpenModel } {
    const b = this.require();
    if (!this.baseline) throw new Error('no comparison is open');
    return { a: this.baseline, b };
  }

  async cancel(): Promise<void> {
    this.generation++;
  }

  async nodeDetails(node: number): Promise<NodeDetails> {
    const model = this.require();
    if (node < 0 || node >= model.ir.nodeCount) throw new Error(`no node ${node}`);
    return model.nodeDetails(node);
  }

  async tensorPreview(value: number): Promise<TensorPreview> {
    const { source, ir } = this.require();
    if (value < 0 || value >= ir.valueCount) throw new Error(`no value ${value}`);
    return tensorPreview(source, ir, value);
  }

  async boxRows(fold: boolean): Promise<BoxRows> {
    const model = this.require();
    const first = this.firstRows;
    if (first && first.model === model && first.fold === fold) {
      // Handed to the page once: its arrays are transferred (detached here) when they cross.
      this.firstRows = null;
      return first.rows;
    }
    return this.buildRows(model, fold);
  }

  /**
   * Starts the open model's box rows for its first view and keeps them for the page's `boxRows` call that
   * follows, so they are built once. `onCounts` gets the row counts (all the layout needs) as soon as they are
   * known, before the rows' text is built.
   */
  firstBoxRows(fold: boolean, onCounts?: (folded: Uint8Array, rowCounts: Uint16Array) => void): Promise<BoxRows> {
    const model = this.require();
    const rows = this.buildRows(model, fold, onCounts);
    rows.catch(() => undefined); // surfaces where it is awaited
    this.firstRows = { model, fold, rows };
    return rows;
  }

  /**
   * Moves the open model's columns and names into shared memory (see shareColumns), so the copies that `irCopy` and
   * `layoutCopy` make share them instead of copying them. For a cross-origin isolated worker.
   */
  shareColumns(): void {
    const ir = this.require().ir;
    shareColumns(ir);
    const names = ir.strings;
    if (names instanceof ByteStringList && !isShared(names.bytes)) {
      ir.strings = new ByteStringList(sharedCopy(names.bytes), sharedCopy(names.ends), names.exceptions);
    }
  }

  /** A transferable copy of the open model's IR (the open model keeps the original, see `open`). */
  irCopy(): GraphIR {
    const ir = this.require().ir;
    // Where node records lie in the file is for this worker's detail readers: the page never reads it (15 MB at
    // 1M nodes), so its copy has none. The names go with the copy as they are: packIR shares them or copies them.
    return copyColumns({ ...ir, nodeSourceOffset: new Float64Array(0), nodeSourceLength: new Float64Array(0) });
  }

  /** A transferable copy for the layout worker, without the value names it never reads (see layoutIR). */
  layoutCopy(): GraphIR {
    return layoutIR(this.require().ir);
  }

  private async buildRows(
    model: OpenModel,
    fold: boolean,
    onCounts?: (folded: Uint8Array, rowCounts: Uint16Array) => void,
  ): Promise<BoxRows> {
    const rows = await buildBoxRows(model, {
      fold,
      facts: await (this.facts?.model === model ? this.facts.facts : opFactsFor(model.ir.format)),
      maxAttributeNodes: MAX_ATTRIBUTE_ROW_NODES,
      prefetch: model.source === this.prefetch ? this.prefetch : null,
      onCounts: onCounts && ((folded, counts) => this.model === model && onCounts(folded, counts)),
    });
    if (this.model !== model) throw new Error('the model changed while its boxes were read');
    return rows;
  }

  async analyze(dims: Record<string, number>): Promise<AnalysisResult> {
    const model = this.require();
    const t0 = performance.now();
    const a = await this.analyzeModel(model, { dims });
    if (this.model !== model) throw new Error('the model changed during analysis');
    const shapes = valueShapesOf(a.shapes, dims);
    return { metrics: a.metrics, unresolved: { ...a.shapes.unresolved }, shapes, ms: performance.now() - t0 };
  }

  private require(): OpenModel {
    if (!this.model) throw new Error('no model is open');
    return this.model;
  }
}

/**
 * Load progress from both the decoder's own reports and the bytes it actually read (ProgressSource), whichever is
 * further, so every format shows bytes read and a percentage.
 */
function withProgress(source: ByteSource, progress?: (read: number, total: number) => void) {
  let best = 0;
  const onProgress = (read: number, total: number) => {
    if (!progress || read < best) return;
    best = read;
    progress(read, total);
  };
  const counting = new ProgressSource(source, onProgress);
  return { source: counting as ByteSource, onProgress, stop: () => counting.stop() };
}

/**
 * The error line for a failed open: the user's words first, then (after a newline) the decoder's own message as
 * technical detail. See explain-error.ts.
 */
async function userFacingFailure(message: string, source: ByteSource | null): Promise<string> {
  if (!source) return message;
  let head: Uint8Array = new Uint8Array(0);
  try {
    head = await source.read(0, Math.min(512, source.size));
  } catch {
    /* the explanation then goes without the file's first bytes */
  }
  const { summary, detail } = explainFailure(message, source.name, head, source.size);
  return detail && detail !== summary ? `${summary}\n${detail}` : summary;
}
