import type { GraphIR } from '../../graph/ir.ts';
import { openModel, type DecodeOptions, type OpenModel } from '../decoder.ts';
import { DecodeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { isText } from '../text/is-text.ts';
import { TfBinaryParser } from './binary.ts';
import { buildTfGraph } from './build.ts';
import { tfNodeDetails } from './details.ts';
import { looksLikeGraphDef, looksLikeSavedModel, looksLikeTfText } from './sniff.ts';
import { parseTfText } from './text.ts';

/** A text graph larger than this is not one Strata can hold as text. */
const MAX_TEXT = 256 << 20;

async function decodeTensorflow(source: ByteSource, options: DecodeOptions = {}): Promise<GraphIR> {
  if (source.size === 0) throw new DecodeError('empty file', source.name, 'file');
  const head = await source.read(0, 4096);
  const savedModel = looksLikeSavedModel(head) || (head[0] === 0x08 && /saved_model\.pb$/i.test(source.name));
  if (
    !savedModel &&
    !looksLikeGraphDef(head) &&
    (looksLikeTfText(head) || (/\.pbtxt$/i.test(source.name) && isText(head)))
  ) {
    if (source.size > MAX_TEXT)
      throw new DecodeError(`too large for a TensorFlow text graph (${source.size} bytes)`, source.name, 'file');
    const bytes = await source.read(0, source.size);
    options.onProgress?.(bytes.length, source.size);
    return buildTfGraph(parseTfText(bytes, source.name), 'tensorflow');
  }
  const model = await new TfBinaryParser(source, options).parse(savedModel);
  return buildTfGraph(model, 'tensorflow');
}

/** A GraphDef or SavedModel, binary or text; details re-read each node's NodeDef. */
export async function openTensorflow(source: ByteSource, options: DecodeOptions = {}): Promise<OpenModel> {
  const ir = await decodeTensorflow(source, options);
  return openModel(ir, source, (node) => tfNodeDetails(source, ir, node));
}
