/** One tensor as a weights-only file stores it, before it becomes an IR initializer. */
export interface StoredTensor {
  /** Full dotted name as stored (`model.layers.0.self_attn.q_proj.weight`). */
  name: string;
  /** IR dtype code (ONNX numbering): the element type, float32 for block-quantized tensors. */
  dtype: number;
  /** The type as the file names it (`BF16`, `Q4_K`, `float32`). */
  storedType: string;
  /** Row-major dimensions; null when the file does not say (a shard that is absent). */
  shape: number[] | null;
  /** Absolute byte offset of the payload in its file; -1 when it cannot be located. */
  offset: number;
  /** Stored bytes (after quantization); 0 when unknown. */
  byteLength: number;
  /** `valueDataEncoding` (raw, or a ggml block encoding). */
  encoding: number;
  /** File holding the payload when it is not the opened file (a safetensors shard). */
  location: string;
  /** Training state (optimizer moments, step counters) rather than the model's own weights. */
  optimizer: boolean;
}

export function elementCount(shape: readonly number[] | null): number {
  if (!shape) return 0;
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function storedTensor(
  partial: Pick<StoredTensor, 'name' | 'dtype' | 'storedType' | 'shape'> & Partial<StoredTensor>,
): StoredTensor {
  return { offset: -1, byteLength: 0, encoding: 0, location: '', optimizer: false, ...partial };
}

/** What a weights-only reader hands to the IR builder. */
export interface Checkpoint {
  /** IR format string (`safetensors`, `gguf`, `pytorch`). */
  format: string;
  tensors: StoredTensor[];
  metadata: Record<string, string>;
  /** Declared architecture (config.json `model_type`, GGUF `general.architecture`), '' if none. */
  architecture: string;
  /** Module path → class name, when the file pickles module objects (`torch.save(model)`). */
  moduleClasses?: Map<string, string>;
}
