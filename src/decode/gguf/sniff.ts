/** "GGUF" read as a little-endian u32: the file's first four bytes. */
export const GGUF_MAGIC = 0x46554747;

/** Kept apart from the reader so sniffing loads none of it. */
export function looksLikeGguf(head: Uint8Array): boolean {
  return head.length >= 8 && new DataView(head.buffer, head.byteOffset, 8).getUint32(0, true) === GGUF_MAGIC;
}
