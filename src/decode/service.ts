import type { GraphIR } from '../graph/ir.ts';
import type { NodeMetrics } from '../graph/metrics.ts';
import type { AnalysisResult, DecodeApi, ModelInput, TensorPreview } from './api.ts';
import type { NodeDetails, OpenModel } from './decoder.ts';
import { CancelledError, DecodeError, describeError } from './errors.ts';
import { explainFailure } from './explain-error.ts';
import type { ByteSource } from './io/byte-source.ts';
import { openInput } from './io/open-source.ts';
import { ProgressSource } from './io/progress-source.ts';
import { openModelFile } from './registry.ts';
import { tensorPreview } from './tensor-preview.ts';

/**
 * The structure analysis (profile/analyze.ts `analyzeModel`). It is handed in by the worker entry because profile/
 * reads models through decode/: importing it here would make the two folders depend on each other.
 */
export type AnalyzeModel = (model: OpenModel, options: { dims: Record<string, number> }) =>
  Promise<{ metrics: NodeMetrics; shapes: { unresolved: Record<string, number> } }>;

/**
 * The decode worker's state: the one open model, kept so node details and tensor bytes are read lazily by range.
 * Plain class so Node tests drive it without a worker.
 */
export class DecodeService implements DecodeApi {
  private model: OpenModel | null = null;
  private generation = 0;

  constructor(private readonly analyzeModel: AnalyzeModel) {}

  async open(input: ModelInput, progress?: (read: number, total: number) => void): Promise<GraphIR> {
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
      const { model } = await openModelFile(counted.source, { onProgress: counted.onProgress, checkCancelled });
      counted.stop();
      checkCancelled();
      // The returned IR's typed arrays are transferred to the main thread (detached here), so hand over a copy: the
      // open model's own closures (details, attributes) keep reading the original columns. The string table is
      // copied when sent (see workers/ir-transfer.ts).
      this.model = model;
      return copyColumns(model.ir);
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      const name = source?.name ?? (input.kind === 'blob' ? input.name : input.url);
      throw new Error(await userFacingFailure(describeError(err, err instanceof DecodeError && err.file ? '' : name), source));
    }
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

  async analyze(dims: Record<string, number>): Promise<AnalysisResult> {
    const model = this.require();
    const t0 = performance.now();
    const a = await this.analyzeModel(model, { dims });
    if (this.model !== model) throw new Error('the model changed during analysis');
    return { metrics: a.metrics, unresolved: { ...a.shapes.unresolved }, ms: performance.now() - t0 };
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

/** The typed-array fields of a plain object (one level deep): an IR's columns, or a metrics result's arrays. */
function typedArrayFields(obj: object): [string, ArrayBufferView][] {
  return Object.entries(obj).filter((e): e is [string, ArrayBufferView] => ArrayBuffer.isView(e[1]));
}

/** A copy of the IR whose typed-array columns are fresh buffers, so the originals can be transferred away. */
function copyColumns(ir: GraphIR): GraphIR {
  const copy: Record<string, unknown> = { ...ir };
  for (const [k, v] of typedArrayFields(ir)) copy[k] = (v as Uint8Array).slice();
  return copy as unknown as GraphIR;
}

/** The distinct buffers behind an object's typed-array fields: what a worker reply can transfer. */
export function typedArrayBuffers(obj: object): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const [, v] of typedArrayFields(obj)) if (v.buffer instanceof ArrayBuffer && !out.includes(v.buffer)) out.push(v.buffer);
  return out;
}
