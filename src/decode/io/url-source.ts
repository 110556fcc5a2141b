import type { ByteSource } from './byte-source.ts';
import { DecodeError } from '../errors.ts';
import { MAX_CHUNK } from '../protobuf/wire-stream.ts';
import { readFromHead } from './head-read.ts';
import { StreamedBody } from './streamed-body.ts';

/**
 * ByteSource over HTTP, so `?url=` opens a multi-GB model without downloading it whole.
 * The first request asks for the file's head (up to HEAD_BYTES) and streams its body: a model up to that size
 * arrives in that one request, and reads are served as soon as their bytes are in, so random-access formats (HDF5,
 * an ncnn .bin, zip directories) read from memory instead of paying one round trip per small read. A read far
 * beyond what has arrived (a zip's directory at the end) gets its own range request. Past the head, reads go by
 * range with one read-ahead. Servers that ignore ranges send the whole file in that first response.
 */
export class UrlSource implements ByteSource {
  /** The range after the last read, fetched while the caller parses: decoders read front to back. */
  private ahead: { start: number; end: number; bytes: Promise<Uint8Array> } | null = null;
  /** Where the last read past the head's bytes ended, to tell a front-to-back decode from random reads. */
  private lastEnd = -1;
  /** Companion files requested with this one (see `open`), by URL, until the decoder takes them. */
  private early = new Map<string, Promise<UrlSource | null>>();

  private constructor(
    readonly url: string,
    readonly name: string,
    readonly size: number,
    private head: StreamedBody,
  ) {}

  /**
   * Opens `url`. `companions` (names relative to it) are requested at the same time, and handed to the decoder when
   * it asks for them (`sibling`): over HTTP that is one round trip for the model and its .bin instead of two.
   */
  static async open(url: string, headBytes = HEAD_BYTES, companions: readonly string[] = []): Promise<UrlSource> {
    const name = decodeURIComponent(new URL(url, globalThis.location?.href).pathname.split('/').pop() || 'model');
    const early = new Map(companions.map((c) => new URL(c, url).href).map((href) => [href, openQuietly(href)]));
    try {
      const source = await UrlSource.openAlone(url, name, headBytes);
      source.early = early;
      return source;
    } catch (err) {
      closeAll(early);
      throw err;
    }
  }

  private static async openAlone(url: string, name: string, headBytes: number): Promise<UrlSource> {
    const first = await fetchChecked(url, { headers: { Range: `bytes=0-${headBytes - 1}` } }, name);
    const total = /\/(\d+)$/.exec(first.headers.get('Content-Range') ?? '')?.[1];
    const length = Number(first.headers.get('Content-Length') ?? Number.NaN);
    const encoded = (first.headers.get('Content-Encoding') ?? 'identity') !== 'identity';
    if (!first.body || !(length >= 0) || encoded) {
      // No usable length (or a re-encoded body whose length is not the file's): read the whole response.
      const bytes = new Uint8Array(await first.arrayBuffer());
      return new UrlSource(
        url,
        name,
        first.status === 206 && total ? Number(total) : bytes.length,
        new StreamedBody(null, bytes.length, bytes),
      );
    }
    // A whole file (a small one, or any file from a server that ignores ranges) is served from its head; it stays a
    // UrlSource all the same, so its companion files (weights, config.json) are found beside it.
    const size = first.status === 206 && total ? Number(total) : length;
    return new UrlSource(url, name, size, new StreamedBody(first.body, length));
  }

  /** Calls `listener` with the bytes downloaded so far while the head streams (progress during a long wait). */
  onDownload(listener: (downloaded: number) => void): void {
    this.head.onArrival(listener);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.max(0, Math.min(offset, this.size));
    const end = Math.min(this.size, start + Math.max(0, length));
    if (end <= start) return new Uint8Array(0);
    const head = this.head;
    const fromHead = await readFromHead(head, start, end);
    if (fromHead) return fromHead;
    if (end <= head.bytes.length) return this.fetchRange(start, end);
    if (head.bytes.length && start === this.lastEnd && head.settled) {
      // A front-to-back decode (each read starting where the last one ended) has moved past a head that is only
      // the front of the file: it will not read those bytes again, and let go now the head (64 MB) is collected
      // while the decode goes on instead of being left as garbage once the worker goes idle.
      this.dropHead();
    }
    this.lastEnd = end;
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

  async close(): Promise<void> {
    this.head.cancel();
    this.dropCompanions();
  }

  /**
   * Drops the read-ahead, and the head when it is only the front of the file (64 MB of a 366 MB model, which
   * later detail reads seldom touch): both were there for the decode's front-to-back pass, and kept they outlive it
   * for as long as the model is open. A head that is the whole file stays, serving every later read from memory.
   */
  releaseDecodeBuffers(): void {
    this.ahead = null;
    this.dropCompanions();
    if (this.head.bytes.length < this.size) this.dropHead();
  }

  private dropHead(): void {
    this.head.cancel();
    this.head = new StreamedBody(null, 0, new Uint8Array(0));
  }

  /**
   * [start, end) by a range request, its body streamed into one buffer of that size (StreamedBody): `arrayBuffer()`
   * would gather the body in pieces and copy them into its result, twice the bytes in flight for every range.
   */
  private async fetchRange(start: number, end: number): Promise<Uint8Array> {
    const res = await fetchChecked(this.url, { headers: { Range: `bytes=${start}-${end - 1}` } }, this.name);
    if (res.status !== 206 || !res.body) {
      // The whole file (a server that ignores ranges): cut out the range.
      const bytes = new Uint8Array(await res.arrayBuffer());
      return res.status === 206 ? bytes : bytes.subarray(start, end);
    }
    // A body longer than the range (a server that miscounts) is cut at the range's end.
    const body = new StreamedBody(res.body, end - start);
    await body.waitFor(end - start);
    if (body.error) throw body.error;
    return body.arrived === end - start ? body.bytes : body.bytes.subarray(0, body.arrived);
  }

  async sibling(name: string): Promise<ByteSource | null> {
    const url = new URL(name, this.url).href;
    const early = this.early.get(url);
    if (early) {
      // Handed out once: the decoder closes what it opened.
      this.early.delete(url);
      return early;
    }
    return openQuietly(url);
  }

  /** Companions requested early that the decoder never asked for (a wrong guess): their downloads stop. */
  private dropCompanions(): void {
    closeAll(this.early);
    this.early.clear();
  }
}

/** A companion file's source, or null when it cannot be fetched (decoders then go without it). */
function openQuietly(url: string): Promise<UrlSource | null> {
  return UrlSource.open(url).catch(() => null);
}

function closeAll(sources: Map<string, Promise<UrlSource | null>>): void {
  for (const s of sources.values()) void s.then((source) => source?.close());
}

/**
 * The first request's size: files up to this size are read in one streamed request (the 100k-node chain, 36 MB,
 * included). Its progress is reported as it arrives (`onDownload`), so a large head no longer sits at 0 %.
 */
export const HEAD_BYTES = 64 << 20;

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
