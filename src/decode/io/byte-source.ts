import { BlockCache } from './block-cache.ts';
import { readFromHead } from './head-read.ts';
import { StreamedBody } from './streamed-body.ts';

/**
 * Random access to a model file by byte ranges, so decoders never hold a multi-GB file in memory.
 * Implementations: Blob/File (browser, worker), Node file handle (CLI, tests, benches), in-memory buffer.
 */
export interface ByteSource {
  readonly name: string;
  readonly size: number;
  /** Reads [offset, offset + length) clipped to the file end. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** A sibling file (ONNX external data, OpenVINO .bin), if this source can reach one. */
  sibling?(name: string): Promise<ByteSource | null>;
  close?(): Promise<void>;
  /** Reports bytes downloaded ahead of the reads (a streamed HTTP body), so progress moves while a read waits. */
  onDownload?(listener: (downloaded: number) => void): void;
  /** Lets go of bytes held to speed up a front-to-back decode, once the model is decoded (see UrlSource). */
  releaseDecodeBuffers?(): void;
}

export class BufferSource implements ByteSource {
  readonly size: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly name = 'buffer',
    private readonly siblings: Map<string, Uint8Array> = new Map(),
  ) {
    this.size = bytes.length;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.max(0, Math.min(offset, this.size));
    return this.bytes.subarray(start, Math.min(this.size, start + Math.max(0, length)));
  }

  async sibling(name: string): Promise<ByteSource | null> {
    const b = this.siblings.get(name);
    return b ? new BufferSource(b, name) : null;
  }
}

/**
 * A dropped file. Every Blob read is a round trip to the browser process (about 1 ms each, whatever its size up to a
 * few hundred KB), and decoders read in several steps that wait for each other: 4 slices for a 1 MB ONNX model (sniff,
 * header, graph, tail), 13 blocks for a Keras .h5. So the model's own file is read from the moment the source
 * exists: whole when small (one read, served to every later read from memory), else its front streamed as a URL's
 * is (see UrlSource), reads served as their bytes arrive. Reads past that, far ahead of the stream, or of companion
 * files (opened without: most are probed for their size or read in one place) come from blocks kept in memory (see
 * BlockCache) or a slice of their own.
 */
export class BlobSource implements ByteSource {
  readonly size: number;
  readonly name: string;
  private readonly cache: BlockCache;
  private whole: Promise<Uint8Array> | null = null;
  private head: StreamedBody | null = null;
  constructor(
    private readonly blob: Blob,
    name?: string,
    private readonly siblings: Map<string, Blob> = new Map(),
    /** How much of the file to read ahead of the decoder's reads (0: none, as for a companion file). */
    readAhead = 0,
  ) {
    this.size = blob.size;
    this.name = name ?? ((blob as File).name || 'model');
    this.cache = new BlockCache(
      this.size,
      async (start, end) => new Uint8Array(await this.blob.slice(start, end).arrayBuffer()),
    );
    if (readAhead <= 0) return;
    if (this.size <= WHOLE_FILE_BYTES) {
      this.whole = blob.arrayBuffer().then((b) => new Uint8Array(b));
      // A failed read is retried by the reads that need it, through the cache.
      this.whole.catch(() => {
        this.whole = null;
      });
    } else {
      const length = Math.min(this.size, readAhead);
      this.head = new StreamedBody(blob.slice(0, length).stream(), length);
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.max(0, Math.min(offset, this.size));
    const end = Math.min(this.size, start + Math.max(0, length));
    if (end <= start) return new Uint8Array(0);
    if (this.whole) {
      const bytes = await this.whole.catch(() => null);
      if (bytes) return bytes.subarray(start, end);
    }
    const fromHead = this.head ? await readFromHead(this.head, start, end) : null;
    return fromHead ?? this.cache.read(start, end);
  }

  async sibling(name: string): Promise<ByteSource | null> {
    const base = name.split(/[\\/]/).pop() ?? name;
    const b = this.siblings.get(name) ?? this.siblings.get(base);
    return b ? new BlobSource(b, base) : null;
  }

  async close(): Promise<void> {
    this.releaseDecodeBuffers();
  }

  /**
   * Lets go of the streamed front of a large file once its model is decoded: later reads (details, tensor values)
   * are few, and a local file reads again cheaply. A small file read whole stays, serving them from memory.
   */
  releaseDecodeBuffers(): void {
    this.head?.cancel();
    this.head = null;
  }
}

/** Files up to this size are read in one go; as much as the block cache holds at most. */
const WHOLE_FILE_BYTES = 16 << 20;
