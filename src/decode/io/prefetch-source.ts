import type { ByteSource } from './byte-source.ts';
import { nextSpan } from './read-spans.ts';
/** One merged read never exceeds this. */
const MAX_SPAN = 16 << 20;

/**
 * A ByteSource that can hold a few merged spans of its file in memory while a batch of small reads runs (the
 * node records of every operator, when their attributes are listed in the boxes): each read inside a held span is
 * a subarray instead of a Blob slice or an HTTP range request. Everything else goes to the wrapped source.
 */
export class PrefetchSource implements ByteSource {
  private spans: { start: number; bytes: Uint8Array }[] = [];

  constructor(private readonly inner: ByteSource) {}

  get name(): string {
    return this.inner.name;
  }

  get size(): number {
    return this.inner.size;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    for (const s of this.spans) {
      if (offset >= s.start && offset + length <= s.start + s.bytes.length) {
        return Promise.resolve(s.bytes.subarray(offset - s.start, offset - s.start + length));
      }
    }
    return this.inner.read(offset, length);
  }

  sibling(name: string): Promise<ByteSource | null> {
    return this.inner.sibling ? this.inner.sibling(name) : Promise.resolve(null);
  }

  close(): Promise<void> {
    return this.inner.close ? this.inner.close() : Promise.resolve();
  }

  /**
   * Runs `task` with the given ranges (offset, length pairs) held in memory, read in merged spans, then lets them
   * go. Ranges larger than a span are left to the wrapped source.
   */
  async holding<T>(offsets: ArrayLike<number>, lengths: ArrayLike<number>, task: () => Promise<T>): Promise<T> {
    const order = Array.from({ length: offsets.length }, (_, i) => i)
      .filter((i) => offsets[i] >= 0 && lengths[i] > 0 && lengths[i] <= MAX_SPAN)
      .sort((a, b) => offsets[a] - offsets[b]);
    const spans: { start: number; bytes: Uint8Array }[] = [];
    for (let i = 0; i < order.length; ) {
      const start = offsets[order[i]];
      const { end, next } = nextSpan(order, i, offsets, lengths, MAX_SPAN);
      spans.push({ start, bytes: await this.inner.read(start, end - start) });
      i = next;
    }
    this.spans = spans;
    try {
      return await task();
    } finally {
      this.spans = [];
    }
  }
}
