import type { GraphIR } from '../graph/ir.ts';
import type { ByteSource } from './byte-source.ts';
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
import type { DecodeOptions, ModelDecoder } from './registry-types.ts';
import { pytorchDecoder } from './pytorch/index.ts';
import type { ModelDecoder as OpenModelDecoder, OpenModel } from './decoder.ts';
import { ggufDecoder } from './gguf/index.ts';
import { huggingfaceDecoder } from './huggingface/index.ts';
import { pytorchStateDecoder } from './pytorch-state/index.ts';
import { safetensorsDecoder } from './safetensors/index.ts';
import { tensorflowDecoder } from './tensorflow/index.ts';
import { tfjsDecoder } from './tfjs/index.ts';
import { tfliteDecoder } from './tflite/index.ts';
import { tnnDecoder } from './tnn/index.ts';

/**
 * A decoder written against the OpenModel contract (decoder.ts), served through this registry's decode/nodeDetails
 * until the registry itself moves to that contract; the open model is kept per IR.
 */
function fromOpenModelDecoder(d: OpenModelDecoder): ModelDecoder {
  const models = new WeakMap<GraphIR, OpenModel>();
  return {
    id: d.id, name: d.name, extensions: d.extensions, sniff: d.sniff,
    async decode(source, options) {
      const model = await d.open(source, options);
      models.set(model.ir, model);
      return model.ir;
    },
    async nodeDetails(source, ir, node) {
      let model = models.get(ir);
      if (!model) models.set(ir, (model = await d.open(source)));
      return model.nodeDetails(node);
    },
  };
}

/**
 * Every format Strata opens, most specific sniffers first (magic bytes before text heuristics). torch.save
 * checkpoints come before TorchScript, whose sniff accepts every torch zip; the safetensors index and a Hugging
 * Face config.json are claimed by name before the JSON formats.
 */
export const decoders: readonly ModelDecoder[] = [
  fromOpenModelDecoder(ggufDecoder), fromOpenModelDecoder(safetensorsDecoder), fromOpenModelDecoder(huggingfaceDecoder),
  tfliteDecoder, onnxDecoder, coremlDecoder, tensorflowDecoder, fromOpenModelDecoder(pytorchStateDecoder), pytorchDecoder, tfjsDecoder, kerasDecoder, openvinoDecoder, mxnetDecoder, ncnnDecoder,
  nnefDecoder, paddleDecoder, tnnDecoder, barracudaDecoder, caffeDecoder, darknetDecoder,
];

const HEAD_BYTES = 4096;

export async function detectFormat(source: ByteSource): Promise<ModelDecoder> {
  if (source.size === 0) throw new DecodeError('empty file', source.name);
  const head = await source.read(0, HEAD_BYTES);
  const byContent = decoders.find((d) => d.sniff(head, source.name));
  if (byContent) return byContent;
  const ext = source.name.toLowerCase();
  const byExtension = decoders.find((d) => d.extensions.some((e) => ext.endsWith(e)));
  if (byExtension) return byExtension;
  throw new DecodeError(`unrecognised model format (known: ${decoders.map((d) => d.id).join(', ')})`, source.name);
}

export async function decode(source: ByteSource, options?: DecodeOptions): Promise<{ ir: GraphIR; decoder: ModelDecoder }> {
  const decoder = await detectFormat(source);
  const ir = await decoder.decode(source, options);
  return { ir, decoder };
}
