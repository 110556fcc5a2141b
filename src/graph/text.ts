/** Bytes to JS strings for the string table: one fast path for ASCII runs, TextDecoder for the rest. */

const utf8 = new TextDecoder('utf-8');
/**
 * One character per byte (the WHATWG `latin1` label is windows-1252, a single-byte decoding): a pooled run of ASCII
 * names may hold a non-ASCII name's bytes between them (that one is decoded on its own), and the ASCII names'
 * offsets into the decoded text must stay byte offsets.
 */
const singleByte = new TextDecoder('latin1');

interface NodeBuffer {
  toString(encoding: 'latin1'): string;
}
interface NodeBufferStatic {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): NodeBuffer;
}
/**
 * Node's TextDecoder goes through ICU and decodes ~50-100 MB/s, so a 1M-node name pool would take seconds; Buffer's
 * latin1 path is a plain copy into a one-byte string. Browsers have no Buffer, and their TextDecoder has its own
 * ASCII fast path.
 */
const NodeBuffer = (globalThis as { Buffer?: NodeBufferStatic }).Buffer;

/** `bytes[start, end)` as one character per byte: exact for the ASCII names sliced out of it. */
export function asciiText(bytes: Uint8Array, start: number, end: number): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
  return singleByte.decode(bytes.subarray(start, end));
}

/** UTF-8 to string with a fast path for short ASCII names, which is nearly every name in a model. */
export function decodeUtf8(b: Uint8Array, start: number, end: number): string {
  if (end - start <= 96) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = b[i];
      if (c >= 0x80) return utf8.decode(b.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(b.subarray(start, end));
}
