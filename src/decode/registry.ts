import type { DecodeOptions, ModelDecoder, OpenModel } from './decoder.ts';
import type { ByteSource } from './io/byte-source.ts';
import { DecodeError } from './errors.ts';
import { barracudaDecoder } from './barracuda/index.ts';
import { caffeDecoder } from './caffe/index.ts';
import { coremlDecoder } from './coreml/index.ts';
import { darknetDecoder } from './darknet/index.ts';
import { kerasDecoder } from './keras/index.ts';
import { mxnetDecoder } from './mxnet/index.ts';
import { ncnnDecoder } from './ncnn/index.ts';
import { nnefDecoder } from './nnef/index.ts';
import { onnxDecoder } from './onnx/index.ts';
import { openvinoDecoder } from './openvino/index.ts';
import { paddleDecoder } from './paddle/index.ts';
import { pytorchDecoder } from './pytorch/index.ts';
import { ggufDecoder } from './gguf/index.ts';
import { huggingfaceDecoder } from './huggingface/index.ts';
import { pytorchStateDecoder } from './pytorch-state/index.ts';
import { safetensorsDecoder } from './safetensors/index.ts';
import { tensorflowDecoder } from './tensorflow/index.ts';
import { tfjsDecoder } from './tfjs/index.ts';
import { tfliteDecoder } from './tflite/index.ts';
import { tnnDecoder } from './tnn/index.ts';

/**
 * Every format Strata opens, most specific sniffers first (magic bytes before text heuristics). torch.save
 * checkpoints come before TorchScript, whose sniff accepts every torch zip; the safetensors index and a Hugging
 * Face config.json are claimed by name before the JSON formats.
 */
export const decoders: readonly ModelDecoder[] = [
  ggufDecoder,
  safetensorsDecoder,
  huggingfaceDecoder,
  tfliteDecoder,
  onnxDecoder,
  coremlDecoder,
  tensorflowDecoder,
  pytorchStateDecoder,
  pytorchDecoder,
  tfjsDecoder,
  kerasDecoder,
  openvinoDecoder,
  mxnetDecoder,
  ncnnDecoder,
  nnefDecoder,
  paddleDecoder,
  tnnDecoder,
  barracudaDecoder,
  caffeDecoder,
  darknetDecoder,
];

const HEAD_BYTES = 4096;

export async function detectFormat(source: ByteSource): Promise<ModelDecoder> {
  if (source.size === 0) throw new DecodeError('empty file', source.name);
  const head = await source.read(0, HEAD_BYTES);
  const byContent = decoders.find((d) => d.sniff(head, source.name));
  if (byContent) return byContent;
  const byExtension = decoderForName(source.name);
  if (byExtension) return byExtension;
  throw new DecodeError(`unrecognised model format (known: ${decoders.map((d) => d.id).join(', ')})`, source.name);
}

/**
 * Starts loading the module of the decoder the file's name points to (its extension), while the file's first
 * bytes are still on their way: the format is only known from them, and a cold worker would then wait for the
 * decoder's chunk after them. A wrong guess costs a chunk loaded for nothing.
 */
export function preloadDecoderFor(fileName: string): void {
  decoderForName(fileName)?.preload?.();
}

/**
 * The companion files the decoder for this file name (by extension) will open beside it, for a source that can ask
 * for them early (see ModelDecoder.companions). A wrong guess costs a request whose answer goes unused.
 */
export function companionsFor(fileName: string): string[] {
  return decoderForName(fileName)?.companions?.(fileName) ?? [];
}

/** The decoder a file's extension names, if any. */
function decoderForName(fileName: string): ModelDecoder | undefined {
  const name = fileName.toLowerCase();
  return decoders.find((d) => d.extensions.some((e) => name.endsWith(e)));
}

/** Detects the format and opens the model: the open model (IR plus lazy details) and the decoder that read it. */
export async function openModelFile(
  source: ByteSource,
  options?: DecodeOptions,
): Promise<{ model: OpenModel; decoder: ModelDecoder }> {
  const decoder = await detectFormat(source);
  const model = await decoder.open(source, options);
  return { model, decoder };
}
