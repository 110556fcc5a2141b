import { BlockCache } from './block-cache.ts';

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

/** A dropped file: small reads come from blocks kept in memory (see BlockCache), large ones are sliced. */
export class BlobSource implements ByteSource {
  readonly size: number;
  readonly name: string;
  private readonly cache: BlockCache;
  constructor(
    private readonly blob: Blob,
    name?: string,
    private readonly siblings: Map<string, Blob> = new Map(),
  ) {
    this.size = blob.size;
    this.name = name ?? ((blob as File).name || 'model');
    this.cache = new BlockCache(
      this.size,
      async (start, end) => new Uint8Array(await this.blob.slice(start, end).arrayBuffer()),
    );
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.max(0, Math.min(offset, this.size));
    return this.cache.read(start, Math.min(this.size, start + Math.max(0, length)));
  }

  async sibling(name: string): Promise<ByteSource | null> {
    const base = name.split(/[\\/]/).pop() ?? name;
    const b = this.siblings.get(name) ?? this.siblings.get(base);
    return b ? new BlobSource(b, base) : null;
  }
}
