import { ChunkReader } from './chunk-reader.ts';

/**
 * A response body read into one buffer of known length as it arrives, so readers can use its first bytes while the
 * rest is still downloading: a read waits only for the bytes it needs. The buffer is allocated once (no chunk list
 * to merge); a body that overruns the announced length, ends early or fails leaves `arrived` where it stopped and
 * `settled` true, and the caller fetches anything past it some other way.
 */
export class StreamedBody {
  readonly bytes: Uint8Array;
  arrived = 0;
  settled = false;
  /** Why the download stopped short, when it failed (not when it was cancelled or overran). */
  error: unknown = null;
  private waiters: { end: number; wake: () => void }[] = [];
  private listeners: ((arrived: number) => void)[] = [];
  private reader: ChunkReader | null = null;

  /** Streams `body` into a buffer of `length` bytes; without a body, `bytes` is the complete content. */
  constructor(body: ReadableStream<Uint8Array> | null, length: number, bytes?: Uint8Array) {
    this.bytes = bytes ?? new Uint8Array(length);
    if (!body) {
      this.arrived = this.bytes.length;
      this.settled = true;
      return;
    }
    this.reader = new ChunkReader(body);
    void this.pump();
  }

  /** Resolves once [0, end) has arrived or the body has settled short of it. */
  waitFor(end: number): Promise<void> {
    if (end <= this.arrived || this.settled) return Promise.resolve();
    return new Promise((wake) => this.waiters.push({ end, wake }));
  }

  /** Called with the byte count after every chunk, for progress while a reader waits on a long download. */
  onArrival(listener: (arrived: number) => void): void {
    this.listeners.push(listener);
  }

  /** Stops the download (the source was closed); bytes already here stay readable. */
  cancel(): void {
    void this.reader?.cancel();
    this.finish();
  }

  private async pump(): Promise<void> {
    const reader = this.reader;
    if (!reader) return;
    try {
      for (;;) {
        const value = await reader.next();
        if (!value || this.settled) break;
        if (this.arrived + value.length > this.bytes.length) {
          // More than announced (a proxy re-encoding the body): what fits is kept, the rest is read by range.
          this.bytes.set(value.subarray(0, this.bytes.length - this.arrived), this.arrived);
          this.arrived = this.bytes.length;
          void reader.cancel();
          break;
        }
        this.bytes.set(value, this.arrived);
        this.arrived += value.length;
        for (const l of this.listeners) l(this.arrived);
        this.wake();
      }
    } catch (err) {
      // A failed download: reads past `arrived` fall back to range requests, which report the error if it persists.
      this.error = err;
    }
    this.finish();
  }

  private finish(): void {
    this.settled = true;
    this.reader = null;
    this.listeners = [];
    this.wake();
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.end <= this.arrived || this.settled) w.wake();
      else still.push(w);
    }
    this.waiters = still;
  }
}
