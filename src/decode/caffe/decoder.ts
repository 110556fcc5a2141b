import type { GraphIR } from '../../graph/ir.ts';
import { openModel, type DecodeOptions, type OpenModel } from '../decoder.ts';
import { DecodeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { isText } from '../text/is-text.ts';
import { buildCaffeGraph } from './build.ts';
import { parseCaffemodel } from './caffemodel.ts';
import { caffeNodeDetails } from './details.ts';
import { parsePrototxt } from './prototxt.ts';

/** A .prototxt larger than this is not a network definition. */
const MAX_PROTOTXT = 64 << 20;

async function decodeCaffe(source: ByteSource, options: DecodeOptions = {}): Promise<GraphIR> {
  if (source.size === 0) throw new DecodeError('empty file', source.name, 'file');
  const head = await source.read(0, 4096);
  const binary = /\.caffemodel$/i.test(source.name) || (!isText(head) && !/\.prototxt$/i.test(source.name));
  if (binary) {
    const net = await parseCaffemodel(source, options);
    const ir = buildCaffeGraph(net, 'caffe');
    ir.metadata.container = 'caffemodel';
    return ir;
  }
  if (source.size > MAX_PROTOTXT)
    throw new DecodeError(`too large for a Caffe .prototxt (${source.size} bytes)`, source.name, 'file');
  const bytes = await source.read(0, source.size);
  options.onProgress?.(bytes.length, source.size);
  const ir = buildCaffeGraph(parsePrototxt(bytes, source.name), 'caffe');
  ir.metadata.container = 'prototxt';
  return ir;
}

/** A text `.prototxt` or a binary `.caffemodel`; details re-read each layer's record. */
export async function openCaffe(source: ByteSource, options: DecodeOptions = {}): Promise<OpenModel> {
  const ir = await decodeCaffe(source, options);
  return openModel(ir, source, (node) => caffeNodeDetails(source, ir, node));
}
