import { isText } from '../text/is-text.ts';

/** Content checks for TensorFlow files; the decoder uses them too, to tell a text graph from a binary one. */

const latin1 = new TextDecoder('latin1');

function varintAt(head: Uint8Array, at: number): [value: number, next: number] {
  let v = 0;
  let mul = 1;
  for (let i = at; i < head.length && i < at + 8; i++) {
    v += (head[i] & 0x7f) * mul;
    if (!(head[i] & 0x80)) return [v, i + 1];
    mul *= 128;
  }
  return [-1, -1];
}

/** Bytes [at, at + n) (clipped to the head) are all accepted by `ok`; n must be at least 1. */
function bytesOk(head: Uint8Array, at: number, n: number, ok: (c: number) => boolean): boolean {
  if (n < 1 || n > 4096) return false;
  for (let i = at; i < Math.min(head.length, at + n); i++) if (!ok(head[i])) return false;
  return true;
}

const isNameChar = (c: number) => c > 0x20 && c < 0x7f;
const isOpChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** A binary GraphDef: `node` (field 1) first, whose NodeDef starts with a printable `name` and an identifier `op`. */
export function looksLikeGraphDef(head: Uint8Array): boolean {
  if (head[0] !== 0x0a) return false;
  const [nodeLen, p] = varintAt(head, 1);
  if (nodeLen < 4 || head[p] !== 0x0a) return false;
  const [nameLen, q] = varintAt(head, p + 1);
  if (q < 0 || !bytesOk(head, q, nameLen, isNameChar)) return false;
  const o = q + nameLen;
  if (o >= head.length) return true;
  if (head[o] !== 0x12) return false;
  const [opLen, s] = varintAt(head, o + 1);
  return s > 0 && opLen <= 256 && bytesOk(head, s, opLen, isOpChar) && (head[s] < 48 || head[s] > 57);
}

/** A binary SavedModel: `saved_model_schema_version: 1`, then `meta_graphs` starting with a MetaInfoDef or GraphDef. */
export function looksLikeSavedModel(head: Uint8Array): boolean {
  if (head[0] !== 0x08 || head[1] !== 0x01 || head[2] !== 0x12) return false;
  const [len, p] = varintAt(head, 3);
  return len > 0 && p > 0 && (head[p] === 0x0a || head[p] === 0x12);
}

/** A GraphDef or SavedModel in protobuf text format. */
export function looksLikeTfText(head: Uint8Array): boolean {
  if (!isText(head)) return false;
  const text = latin1.decode(head).replace(/#[^\n]*/g, '');
  if (/^\s*(saved_model_schema_version\s*:|meta_graphs\s*\{)/.test(text)) return true;
  return /^\s*node\s*\{\s*name\s*:\s*"/.test(text) && /\bop\s*:\s*"/.test(text);
}
