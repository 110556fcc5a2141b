/** ZIP recognition from a file's head, kept apart from the reader so format sniffing loads no decoder code. */

const utf8 = new TextDecoder('utf-8');

/** A ZIP local file header at the start (every ZIP written by a streaming or ordinary writer starts so). */
export function looksLikeZip(head: Uint8Array): boolean {
  return head.length >= 30 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/** The name of the first entry, from the local header in `head`, or '' if it does not fit. */
export function firstEntryName(head: Uint8Array): string {
  if (!looksLikeZip(head)) return '';
  const n = head[26] | (head[27] << 8);
  if (30 + n > head.length) return '';
  return utf8.decode(head.subarray(30, 30 + n));
}
