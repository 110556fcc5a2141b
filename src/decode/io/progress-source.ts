import type { ByteSource } from './byte-source.ts';
import { markOpen } from './open-marks.ts';

/**
 * Reports how far into a file a decoder has read, for every format alike: decoders that stream report progress
 * themselves, but some read by ranges and never say. The furthest byte read is a fair measure of position for
 * all of them (weight payloads are skipped, so the position jumps over them as the decoder does). A source that
 * downloads ahead of the reads (a streamed HTTP body) also reports its download, which moves while a read waits.
 */
export class ProgressSource implements ByteSource {
  private furthest = 0;
  private lastReported = -1;
  private active = true;
  /** When the first and the latest read of the open resolved (performance.now()), for its marks. */
  private firstByteAt = -1;
  private lastByteAt = -1;

  constructor(
    private readonly inner: ByteSource,
    private readonly report: (read: number, total: number) => void,
  ) {
    inner.onDownload?.((downloaded) => this.advance(downloaded));
  }

  get name(): string {
    return this.inner.name;
  }

  get size(): number {
    return this.inner.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const bytes = await this.inner.read(offset, length);
    if (this.active) {
      this.lastByteAt = performance.now();
      if (this.firstByteAt < 0) this.firstByteAt = this.lastByteAt;
    }
    this.advance(offset + bytes.length);
    return bytes;
  }

  private advance(end: number): void {
    if (!this.active || end <= this.furthest) return;
    this.furthest = end;
    // At most ~200 reports per file: each one crosses to the page.
    if (this.furthest - this.lastReported >= this.size / 200 || this.furthest >= this.size) {
      this.lastReported = this.furthest;
      this.report(this.furthest, this.size);
    }
  }

  sibling(name: string): Promise<ByteSource | null> {
    return this.inner.sibling ? this.inner.sibling(name) : Promise.resolve(null);
  }

  close(): Promise<void> {
    return this.inner.close ? this.inner.close() : Promise.resolve();
  }

  /** The open is over: later reads (details, tensor values) are not load progress. */
  stop(): void {
    if (this.active && this.firstByteAt >= 0) {
      markOpen('strata:decode-first-byte', this.firstByteAt);
      markOpen('strata:decode-last-byte', this.lastByteAt);
    }
    this.active = false;
  }
}
