/** safetensors recognition, kept apart from the header reader so sniffing loads none of it. */

/** safetensors caps its own header at 100 MB (safetensors MAX_HEADER_SIZE); a larger one is hostile or broken. */
export const MAX_HEADER_BYTES = 100_000_000;

/** The index of a sharded set, opened by name. */
export const SAFETENSORS_INDEX_NAME = /\.safetensors\.index\.json$/i;

/** A safetensors file starts with a sane header length followed by `{`. */
export function looksLikeSafetensors(head: Uint8Array, size = Infinity): boolean {
  if (head.length < 10) return false;
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 4294967296;
  if (n < 2 || n > MAX_HEADER_BYTES || n > size - 8) return false;
  let i = 8;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  return head[i] === 0x7b;
}
