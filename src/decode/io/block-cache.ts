/**
 * Small reads served from aligned blocks kept in memory, for a source where every read has a fixed cost of its own
 * (a Blob slice is an asynchronous file read through the browser process). Random-access formats make hundreds of
 * small reads clustered in a few places (HDF5 object headers, B-tree nodes and heaps: 410 reads in 13 blocks of
 * 64 KiB for a 9.6 MB Keras .h5), so each block is fetched once. Reads longer than a block go straight through.
 */
export class BlockCache {
  private blocks = new Map<number, Promise<Uint8Array>>();

  constructor(
    private readonly size: number,
    private readonly fetch: (start: number, end: number) => Promise<Uint8Array>,
  ) {}

  /** [start, end) of the file, clipped by the caller to the file's size. */
  read(start: number, end: number): Promise<Uint8Array> {
    if (end <= start) return Promise.resolve(new Uint8Array(0));
    if (end - start > BLOCK_BYTES) return this.fetch(start, end);
    const first = Math.floor(start / BLOCK_BYTES);
    const last = Math.floor((end - 1) / BLOCK_BYTES);
    if (first === last) {
      const base = first * BLOCK_BYTES;
      return this.block(first).then((b) => b.subarray(start - base, end - base));
    }
    // Across a block boundary (at most two blocks, since the read is no longer than one).
    return Promise.all([this.block(first), this.block(last)]).then(([a, b]) => {
      const out = new Uint8Array(end - start);
      const split = last * BLOCK_BYTES;
      out.set(a.subarray(start - first * BLOCK_BYTES), 0);
      out.set(b.subarray(0, end - split), split - start);
      return out;
    });
  }

  private block(index: number): Promise<Uint8Array> {
    let b = this.blocks.get(index);
    if (!b) {
      // Bounded: a source read at random all over a large file starts again rather than holding it all.
      if (this.blocks.size >= MAX_BLOCKS) this.blocks.clear();
      const start = index * BLOCK_BYTES;
      b = this.fetch(start, Math.min(this.size, start + BLOCK_BYTES));
      // A failed block is fetched again by the next read that needs it.
      b.catch(() => this.blocks.delete(index));
      this.blocks.set(index, b);
    }
    return b;
  }
}

export const BLOCK_BYTES = 64 << 10;
/** 16 MiB of blocks at most. */
const MAX_BLOCKS = 256;
