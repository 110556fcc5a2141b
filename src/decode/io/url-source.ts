import type { ByteSource } from './byte-source.ts';
import { DecodeError } from '../errors.ts';
import { MAX_CHUNK } from '../protobuf/wire-stream.ts';

/**
 * ByteSource over HTTP range requests, so `?url=` opens a multi-GB model without downloading it whole.
 * The first request asks for the file's head: a model up to HEAD_BYTES (small everyday models) arrives in that one
 * request, and a larger one has its header parsed from it before any further round trip. Servers that ignore
 * ranges get one full download, held as a buffer.
 */
export class UrlSource implements ByteSource {
  /** The range after the last read, fetched while the caller parses: decoders read front to back. */
  private ahead: { start: number; end: number; bytes: Promise<Uint8Array> } | null = null;

  private constructor(
    readonly url: string,
    readonly name: string,
    readonly size: number,
    private readonly head: Uint8Array,
  ) {}

  static async open(url: string, headBytes = HEAD_BYTES): Promise<ByteSource> {
    const name = decodeURIComponent(new URL(url, globalThis.location?.href).pathname.split('/').pop() || 'model');
    const first = await fetchChecked(url, { headers: { Range: `bytes=0-${headBytes - 1}` } }, name);
    const total = /\/(\d+)$/.exec(first.headers.get('Content-Range') ?? '')?.[1];
    const bytes = new Uint8Array(await first.arrayBuffer());
    // A whole file (a small one, or any file from a server that ignores ranges) is served from its head; it stays a
    // UrlSource all the same, so its companion files (weights, config.json) are found beside it.
    return new UrlSource(url, name, first.status === 206 && total ? Number(total) : bytes.length, bytes);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.max(0, Math.min(offset, this.size));
    const end = Math.min(this.size, start + Math.max(0, length));
    if (end <= start) return new Uint8Array(0);
    if (end <= this.head.length) return this.head.subarray(start, end);
    const ahead = this.ahead;
    this.ahead = null;
    const bytes =
      ahead && ahead.start === start && ahead.end >= end
        ? ahead.bytes.then((b) => b.subarray(0, end - start))
        : this.fetchRange(start, end);
    if (end < this.size) {
      // Read-ahead sizes double while reads stay sequential (WireStream), so guess twice this read.
      const next = Math.min(this.size, end + Math.min(2 * (end - start), MAX_AHEAD));
      const pending = this.fetchRange(end, next);
      pending.catch(() => undefined); // a failed guess surfaces only if that range is really read
      this.ahead = { start: end, end: next, bytes: pending };
    }
    return bytes;
  }

  private async fetchRange(start: number, end: number): Promise<Uint8Array> {
    const res = await fetchChecked(this.url, { headers: { Range: `bytes=${start}-${end - 1}` } }, this.name);
    const bytes = new Uint8Array(await res.arrayBuffer());
    return res.status === 206 ? bytes : bytes.subarray(start, end);
  }

  async sibling(name: string): Promise<ByteSource | null> {
    try {
      return await UrlSource.open(new URL(name, this.url).href);
    } catch {
      return null;
    }
  }
}

/**
 * The first request's size: files up to this size are read in one request. Kept small because nothing reports
 * progress while that request downloads: on a slow link a larger head would sit at 0 % for its whole length.
 */
export const HEAD_BYTES = 2 << 20;

/** The largest read WireStream makes while streaming, so a guess of twice the last read never overshoots it. */
const MAX_AHEAD = MAX_CHUNK;

async function fetchChecked(url: string, init: RequestInit, name: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw new DecodeError(`could not fetch ${url} (${err instanceof Error ? err.message : String(err)})`, name);
  }
  if (!res.ok) throw new DecodeError(`could not fetch ${url}: HTTP ${res.status}`, name);
  return res;
}
