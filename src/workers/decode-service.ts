import type { ByteSource } from '../decode/byte-source.ts';
import { CancelledError, DecodeError, describeError } from '../decode/errors.ts';
import { openInput } from '../decode/open-source.ts';
import { decode } from '../decode/registry.ts';
import type { ModelDecoder, NodeDetails } from '../decode/registry-types.ts';
import { tensorPreview } from '../decode/tensor-preview.ts';
import type { GraphIR } from '../graph/ir.ts';
import { analyzeModel } from '../profile/analyze.ts';
import type { AnalysisResult, DecodeApi, ModelInput, TensorPreview } from './decode-api.ts';

/**
 * The decode worker's state: the open model's source and IR, kept so node details and tensor bytes are read
 * lazily by range. Plain class so Node tests drive it without a worker.
 */
export class DecodeService implements DecodeApi {
  private source: ByteSource | null = null;
  private decoder: ModelDecoder | null = null;
  private ir: GraphIR | null = null;
  private generation = 0;

  async open(input: ModelInput, progress?: (read: number, total: number) => void): Promise<GraphIR> {
    const generation = ++this.generation;
    this.source = null;
    this.ir = null;
    const checkCancelled = () => {
      if (generation !== this.generation) throw new CancelledError();
    };
    let source: ByteSource | null = null;
    try {
      source = await openInput(input);
      checkCancelled();
      const { ir, decoder } = await decode(source, { onProgress: progress, checkCancelled });
      checkCancelled();
      this.source = source;
      this.decoder = decoder;
      // The IR's typed arrays are transferred to the main thread (detached here); keep memcpy copies of them for
      // details and previews. The string table is copied when sent (see ir-transfer.ts), so this thread keeps it.
      this.ir = copyColumns(ir);
      return ir;
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      const name = source?.name ?? (input.kind === 'blob' ? input.name : input.url);
      throw new Error(describeError(err, err instanceof DecodeError && err.file ? '' : name));
    }
  }

  async cancel(): Promise<void> {
    this.generation++;
  }

  async nodeDetails(node: number): Promise<NodeDetails> {
    const { source, ir, decoder } = this.require();
    if (node < 0 || node >= ir.nodeCount) throw new Error(`no node ${node}`);
    if (!decoder.nodeDetails) return { attributes: [] };
    return decoder.nodeDetails(source, ir, node);
  }

  async tensorPreview(value: number): Promise<TensorPreview> {
    const { source, ir } = this.require();
    if (value < 0 || value >= ir.valueCount) throw new Error(`no value ${value}`);
    return tensorPreview(source, ir, value);
  }

  async analyze(dims: Record<string, number>): Promise<AnalysisResult> {
    const { source, ir } = this.require();
    const t0 = performance.now();
    const a = await analyzeModel(source, ir, { dims });
    if (this.ir !== ir) throw new Error('the model changed during analysis');
    return { metrics: a.metrics, unresolved: { ...a.shapes.unresolved }, ms: performance.now() - t0 };
  }

  private require() {
    if (!this.source || !this.ir || !this.decoder) throw new Error('no model is open');
    return { source: this.source, ir: this.ir, decoder: this.decoder };
  }
}

function copyColumns(ir: GraphIR): GraphIR {
  const copy: Record<string, unknown> = { ...ir };
  for (const [k, v] of Object.entries(ir)) if (ArrayBuffer.isView(v)) copy[k] = (v as Uint8Array).slice();
  return copy as unknown as GraphIR;
}
