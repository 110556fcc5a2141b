import type { GraphIR } from '../graph/ir.ts';
import type { ByteSource } from './byte-source.ts';

export interface DecodeProgress {
  (bytesRead: number, totalBytes: number): void;
}

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
}

/** What the properties panel shows for one node; decoded on request, never for every node up front. */
export interface NodeDetails {
  attributes: AttributeView[];
  doc?: string;
}

export interface ModelDecoder {
  /** Lower-case format id used by `strata inspect` (`onnx`, `tflite`, ...). */
  readonly id: string;
  readonly name: string;
  readonly extensions: readonly string[];
  /** Cheap check on the first bytes (at most 4 KiB) and the file name. */
  sniff(head: Uint8Array, fileName: string): boolean;
  decode(source: ByteSource, options?: DecodeOptions): Promise<GraphIR>;
  nodeDetails?(source: ByteSource, ir: GraphIR, node: number): Promise<NodeDetails>;
}
