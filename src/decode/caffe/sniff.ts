import { isText } from '../text/is-text.ts';

const latin1 = new TextDecoder('latin1');

/** Text that declares Caffe layers: `layer {` / `layers {` blocks with `type:` / `bottom:` / `top:` fields. */
export function looksLikePrototxt(head: Uint8Array): boolean {
  if (!isText(head)) return false;
  const text = latin1.decode(head.subarray(0, 4096)).replace(/#[^\n]*/g, '');
  const layer = /(^|[\s{};])layers?\s*:?\s*\{/.test(text);
  const net = /(^|\n)\s*(name|input|input_dim|input_shape|force_backward)\s*[:{]/.test(text);
  return (
    (layer && /\b(type|bottom|top)\s*:/.test(text)) ||
    (net && /(^|\n)\s*input(_dim|_shape)?\s*[:{]/.test(text) && layer)
  );
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
