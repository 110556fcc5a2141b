import type { GraphIR } from '../graph/ir.ts';
import type { AttributeLookup } from '../graph/shapes/attributes.ts';
import type { ByteSource } from './io/byte-source.ts';

/**
 * The decoder contract. A format registers one `ModelDecoder` (built with `defineDecoder`); opening a file gives
 * an `OpenModel` that owns everything the format needs to answer later questions about that model (node details,
 * attributes for analysis). No decoder keeps state in module-level caches: the open model is the state.
 */

export type DecodeProgress = (bytesRead: number, totalBytes: number) => void;

export interface DecodeOptions {
  onProgress?: DecodeProgress;
  /** Checked between chunks; throwing CancelledError from it aborts the decode. */
  checkCancelled?: () => void;
}

export interface AttributeView {
  name: string;
  type: string;
  /** A short display value: numbers, lists, strings, or a tensor/graph summary. */
  value: string;
  /** The value an argument is bound to by name (Core ML ML Program), when `value` shows its contents instead. */
  binding?: string;
}

/** What the properties panel shows for one node; decoded on request, never for every node up front. */
export interface NodeDetails {
  attributes: AttributeView[];
  doc?: string;
}

/** One model, opened: its IR plus the lazy questions only the format can answer. */
export interface OpenModel {
  readonly ir: GraphIR;
  readonly source: ByteSource;
  /** Attributes and documentation of one node, read by range from the file when asked. */
  nodeDetails(node: number): Promise<NodeDetails>;
  /**
   * Typed attribute values of the nodes whose op type is in `ops` (every op when null, and that pass `want`), for shape inference and
   * FLOPs. Formats without it are analysed from the IR alone.
   */
  attributesFor?(ops: ReadonlySet<string> | null, want?: (node: number) => boolean): Promise<AttributeLookup>;
}

export interface ModelDecoder {
  /** Lower-case format id used by `strata inspect` (`onnx`, `tflite`, ...). */
  readonly id: string;
  readonly name: string;
  readonly extensions: readonly string[];
  /** Cheap check on the first bytes (at most 4 KiB) and the file name. */
  sniff(head: Uint8Array, fileName: string): boolean;
  open(source: ByteSource, options?: DecodeOptions): Promise<OpenModel>;
  /** Starts loading the decoder's module (see openOnDemand), so an open that follows does not wait for it. */
  preload?(): void;
  /**
   * The companion files `open` reads beside a model of this name, when the name alone tells them (an ncnn .param's
   * .bin): a URL source asks for them together with the model rather than a round trip after it.
   */
  companions?(fileName: string): string[];
}

/** Builds a decoder from its parts; `sniff` defaults to "never by content" (extension only). */
export function defineDecoder(spec: {
  id: string;
  name: string;
  extensions: readonly string[];
  sniff?: (head: Uint8Array, fileName: string) => boolean;
  open: (source: ByteSource, options: DecodeOptions) => Promise<OpenModel>;
  companions?: (fileName: string) => string[];
}): ModelDecoder {
  return {
    id: spec.id,
    name: spec.name,
    extensions: spec.extensions,
    sniff: spec.sniff ?? (() => false),
    open: (source, options = {}) => spec.open(source, options),
    preload: (spec.open as Partial<LazyOpen>).preload,
    companions: spec.companions,
  };
}

type OpenFunction = (source: ByteSource, options: DecodeOptions) => Promise<OpenModel>;

/**
 * An `open` whose decoder module is imported on first use, so the registry (and the decode worker's startup chunk)
 * carries only the sniffers. The import runs once; a failed one (a chunk that did not load) is tried again next time.
 */
export function openOnDemand(load: () => Promise<OpenFunction>): LazyOpen {
  let loading: Promise<OpenFunction> | null = null;
  const start = () => {
    if (!loading) {
      loading = load();
      loading.catch(() => {
        loading = null;
      });
    }
    return loading;
  };
  const open = async (source: ByteSource, options: DecodeOptions) => (await start())(source, options);
  // A failed preload is retried by the open that needs the module, which reports the error.
  return Object.assign(open, { preload: () => void start().catch(() => undefined) });
}

/** An open function whose module loads on first use, or earlier on `preload()`. */
type LazyOpen = OpenFunction & { preload(): void };

/** An open model whose details come from a function of the node (the common case). */
export function openModel(
  ir: GraphIR,
  source: ByteSource,
  nodeDetails: (node: number) => Promise<NodeDetails> = async () => ({ attributes: [] }),
  attributesFor?: OpenModel['attributesFor'],
): OpenModel {
  return attributesFor ? { ir, source, nodeDetails, attributesFor } : { ir, source, nodeDetails };
}

/**
 * The bytes of the record a node was decoded from (`nodeSourceOffset/Length`), capped at `max`, or null when the
 * decoder recorded none. Detail readers re-parse just this record instead of the whole file.
 */
export async function readNodeRecord(
  source: ByteSource,
  ir: GraphIR,
  node: number,
  max = 1 << 20,
): Promise<Uint8Array | null> {
  const offset = ir.nodeSourceOffset[node];
  if (!(offset >= 0)) return null;
  const length = Math.min(ir.nodeSourceLength[node], max);
  return source.read(offset, length);
}
