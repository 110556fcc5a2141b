/**
 * Bytes per read of a byte stream: a local server fills it in one go, and reused it stays in cache. The stream's own
 * chunks would be a fresh buffer each (~64 KB apiece, 366 MB of them for a 1M-node model), all of it garbage that
 * the decode worker's heap holds until a full GC.
 */
const BOUNCE_BYTES = 256 << 10;

/**
 * Reads a response body piece by piece into one reused buffer: a byte stream (a fetch body in Chromium) is read
 * with a BYOB reader, which fills the buffer in place and hands it back; any other stream falls back to its own
 * chunks. Each piece is valid until the next `next()` call, so the caller copies what it keeps.
 */
export class ChunkReader {
  private readonly byob: ReadableStreamBYOBReader | null;
  private readonly plain: ReadableStreamDefaultReader<Uint8Array> | null;
  /** The bounce buffer; a BYOB read moves (detaches) it, and its result gives it back. */
  private spare: ArrayBuffer;

  constructor(body: ReadableStream<Uint8Array>) {
    let byob: ReadableStreamBYOBReader | null = null;
    try {
      byob = body.getReader({ mode: 'byob' });
    } catch {
      // Not a byte stream (older browsers, some Node versions): its chunks are read as they come.
    }
    this.byob = byob;
    this.plain = byob ? null : body.getReader();
    this.spare = new ArrayBuffer(byob ? BOUNCE_BYTES : 0);
  }

  /** The next piece of the body, or null at its end. */
  async next(): Promise<Uint8Array | null> {
    if (this.byob) {
      const { done, value } = await this.byob.read(new Uint8Array(this.spare));
      if (value) this.spare = value.buffer as ArrayBuffer;
      return done || !value ? null : value;
    }
    const { done, value } = await (this.plain as ReadableStreamDefaultReader<Uint8Array>).read();
    return done ? null : value;
  }

  /** Stops the download; bytes already returned stay as they are. */
  cancel(): Promise<void> {
    return (this.byob ?? (this.plain as ReadableStreamDefaultReader<Uint8Array>)).cancel().catch(() => undefined);
  }
}
