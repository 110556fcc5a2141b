import type { GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../byte-source.ts';
import { DecodeError } from '../errors.ts';
import type { DecodeOptions, ModelDecoder } from '../registry-types.ts';
import { buildCaffeGraph } from './build.ts';
import { parseCaffemodel } from './caffemodel.ts';
import { caffeNodeDetails } from './details.ts';
import { parsePrototxt } from './prototxt.ts';

/** A .prototxt larger than this is not a network definition. */
const MAX_PROTOTXT = 64 << 20;

const latin1 = new TextDecoder('latin1');

/** True when the bytes look like text: no NUL and few control characters. */
export function isText(head: Uint8Array): boolean {
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head[i];
    if (c === 0) return false;
    if (c < 9 || (c > 13 && c < 32)) control++;
  }
  return control * 50 <= head.length;
}

/** Text that declares Caffe layers: `layer {` / `layers {` blocks with `type:` / `bottom:` / `top:` fields. */
export function looksLikePrototxt(head: Uint8Array): boolean {
  if (!isText(head)) return false;
  const text = latin1.decode(head.subarray(0, 4096)).replace(/#[^\n]*/g, '');
  const layer = /(^|[\s{};])layers?\s*:?\s*\{/.test(text);
  const net = /(^|\n)\s*(name|input|input_dim|input_shape|force_backward)\s*[:{]/.test(text);
  return (layer && /\b(type|bottom|top)\s*:/.test(text)) || (net && /(^|\n)\s*input(_dim|_shape)?\s*[:{]/.test(text) && layer);
}

/** Binary NetParameter: `name` (field 1) then `layer` (field 100), or a file starting with a layer. */
export function looksLikeCaffemodel(head: Uint8Array): boolean {
  if (head.length >= 2 && head[0] === 0xa2 && head[1] === 0x06) return true;
  if (head.length < 4 || head[0] !== 0x0a) return false;
  const n = head[1];
  if (n >= 0x80 || 2 + n + 2 > head.length) return false;
  for (let i = 2; i < 2 + n; i++) if (head[i] < 0x20 || head[i] > 0x7e) return false;
  return head[2 + n] === 0xa2 && head[3 + n] === 0x06;
}

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
  if (source.size > MAX_PROTOTXT) throw new DecodeError(`too large for a Caffe .prototxt (${source.size} bytes)`, source.name, 'file');
  const bytes = await source.read(0, source.size);
  options.onProgress?.(bytes.length, source.size);
  const ir = buildCaffeGraph(parsePrototxt(bytes, source.name), 'caffe');
  ir.metadata.container = 'prototxt';
  return ir;
}

export const caffeDecoder: ModelDecoder = {
  id: 'caffe',
  name: 'Caffe',
  extensions: ['.prototxt', '.caffemodel'],
  sniff(head, fileName) {
    const lower = fileName.toLowerCase();
    if (lower.endsWith('.caffemodel')) return true;
    if (lower.endsWith('.prototxt')) return isText(head);
    return looksLikeCaffemodel(head) || looksLikePrototxt(head);
  },
  decode: decodeCaffe,
  nodeDetails: caffeNodeDetails,
};
