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

/** A printable length-prefixed string at `at` (one-byte length); returns the position after it, or -1. */
function printableString(head: Uint8Array, at: number): number {
  const n = head[at];
  if (n === undefined || n >= 0x80 || at + 1 + n > head.length) return -1;
  for (let i = at + 1; i < at + 1 + n; i++) if (head[i] < 0x20 || head[i] > 0x7e) return -1;
  return at + 1 + n;
}

/**
 * Binary NetParameter: `name` (field 1, a printable string), optionally `input` strings (field 3), then `layer`
 * (field 100), `input_dim` (4), `input_shape` (8) or legacy `layers` (2); or a file that starts with a layer.
 */
export function looksLikeCaffemodel(head: Uint8Array): boolean {
  const isLayer = (i: number) => head[i] === 0xa2 && head[i + 1] === 0x06;
  if (isLayer(0)) return true;
  if (head[0] !== 0x0a) return false;
  let i = printableString(head, 1);
  if (i < 0) return false;
  let inputs = 0;
  while (head[i] === 0x1a && inputs < 16) {
    i = printableString(head, i + 1);
    if (i < 0) return false;
    inputs++;
  }
  if (isLayer(i)) return true;
  return inputs > 0 && (head[i] === 0x20 || head[i] === 0x42 || head[i] === 0x12);
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
