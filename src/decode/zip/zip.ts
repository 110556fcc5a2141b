import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';

/**
 * A ZIP reader over ByteSource ranges (PKWARE APPNOTE: end of central directory, ZIP64 records, central
 * directory, local headers). Only the directory is read up front; an entry's bytes are read when asked for.
 * Stored entries can be located without reading them (PyTorch tensor payloads), deflated ones are inflated
 * with DecompressionStream('deflate-raw') (Node 18+, browsers, workers).
 */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated; others are not supported. */
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
/** EOCD (22 bytes) plus the longest comment. */
const EOCD_SEARCH = 22 + 0xffff;
/** A directory larger than this is not one Strata will hold. */
const MAX_DIRECTORY = 256 << 20;
const MAX_ENTRIES = 4_000_000;

const utf8 = new TextDecoder('utf-8');

export class ZipArchive {
  readonly entries: ZipEntry[] = [];
  private readonly byName = new Map<string, ZipEntry>();
  private readonly dataOffsets = new Map<ZipEntry, number>();

  private constructor(readonly source: ByteSource) {}

  static async open(source: ByteSource): Promise<ZipArchive> {
    const zip = new ZipArchive(source);
    await zip.readDirectory();
    return zip;
  }

  get(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  private fail(message: string, field = 'zip'): never {
    throw new DecodeError(`${message} (zip archive)`, this.source.name, field);
  }

  private async readDirectory(): Promise<void> {
    const { source } = this;
    if (source.size < 22) this.fail('too small for a zip archive: no end of central directory');
    const tailStart = Math.max(0, source.size - EOCD_SEARCH);
    const tail = await source.read(tailStart, source.size - tailStart);
    const dv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (dv.getUint32(i, true) === SIG_EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) this.fail('no end of central directory record: truncated or not a zip file', 'zip.eocd');
    let count = dv.getUint16(eocd + 10, true);
    let dirSize = dv.getUint32(eocd + 12, true);
    let dirOffset = dv.getUint32(eocd + 16, true);
    if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
      // ZIP64: the locator sits just before the EOCD and points at the ZIP64 EOCD record.
      const loc = eocd - 20;
      if (loc < 0 || dv.getUint32(loc, true) !== SIG_ZIP64_LOCATOR) this.fail('ZIP64 locator missing', 'zip.zip64');
      const recOffset = u64(dv, loc + 8);
      const rec = await source.read(recOffset, 56);
      if (rec.length < 56) this.fail('ZIP64 end of central directory is past the end of the file', 'zip.zip64');
      const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
      if (rv.getUint32(0, true) !== SIG_ZIP64_EOCD)
        this.fail('ZIP64 end of central directory record not found', 'zip.zip64');
      count = u64(rv, 32);
      dirSize = u64(rv, 40);
      dirOffset = u64(rv, 48);
    }
    if (count > MAX_ENTRIES) this.fail(`${count} entries is more than ${MAX_ENTRIES}`, 'zip.eocd');
    if (dirSize > MAX_DIRECTORY) this.fail(`central directory of ${dirSize} bytes is too large`, 'zip.eocd');
    if (dirOffset + dirSize > source.size)
      this.fail('central directory runs past the end of the file: truncated', 'zip.eocd');
    const dir = await source.read(dirOffset, dirSize);
    const d = new DataView(dir.buffer, dir.byteOffset, dir.byteLength);
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > dir.length || d.getUint32(p, true) !== SIG_CENTRAL)
        this.fail(`central directory entry ${i} is damaged`, 'zip.central');
      const flags = d.getUint16(p + 8, true);
      const method = d.getUint16(p + 10, true);
      let compressedSize = d.getUint32(p + 20, true);
      let size = d.getUint32(p + 24, true);
      const nameLen = d.getUint16(p + 28, true);
      const extraLen = d.getUint16(p + 30, true);
      const commentLen = d.getUint16(p + 32, true);
      let localHeaderOffset = d.getUint32(p + 42, true);
      const nameEnd = p + 46 + nameLen;
      if (nameEnd + extraLen + commentLen > dir.length)
        this.fail(`central directory entry ${i} runs past the directory`, 'zip.central');
      const name = utf8.decode(dir.subarray(p + 46, nameEnd));
      // ZIP64 extended information (0x0001): the 64-bit sizes and offset, only those whose 32-bit field is all ones.
      for (let e = nameEnd; e + 4 <= nameEnd + extraLen; ) {
        const id = d.getUint16(e, true);
        const len = d.getUint16(e + 2, true);
        if (id === 0x0001) {
          let q = e + 4;
          const end = Math.min(q + len, nameEnd + extraLen);
          if (size === 0xffffffff && q + 8 <= end) (size = u64(d, q)), (q += 8);
          if (compressedSize === 0xffffffff && q + 8 <= end) (compressedSize = u64(d, q)), (q += 8);
          if (localHeaderOffset === 0xffffffff && q + 8 <= end) localHeaderOffset = u64(d, q);
        }
        e += 4 + len;
      }
      if (localHeaderOffset + 30 > source.size)
        this.fail(`entry "${name}" starts past the end of the file`, 'zip.central');
      const entry: ZipEntry = { name, method, flags, compressedSize, size, localHeaderOffset };
      this.entries.push(entry);
      if (!this.byName.has(name)) this.byName.set(name, entry);
      p = nameEnd + extraLen + commentLen;
    }
  }

  /** Absolute offset of the entry's (possibly compressed) bytes, read from its local header. */
  async dataOffset(entry: ZipEntry): Promise<number> {
    const known = this.dataOffsets.get(entry);
    if (known !== undefined) return known;
    const h = await this.source.read(entry.localHeaderOffset, 30);
    const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
    if (h.length < 30 || dv.getUint32(0, true) !== SIG_LOCAL)
      this.fail(`local header of "${entry.name}" is damaged`, 'zip.local');
    const offset = entry.localHeaderOffset + 30 + dv.getUint16(26, true) + dv.getUint16(28, true);
    if (offset + entry.compressedSize > this.source.size)
      this.fail(`"${entry.name}" runs past the end of the file: truncated`, 'zip.local');
    this.dataOffsets.set(entry, offset);
    return offset;
  }

  /** The entry's uncompressed bytes; refuses entries larger than `maxBytes`. */
  async read(entry: ZipEntry, maxBytes = 256 << 20): Promise<Uint8Array> {
    if (entry.size > maxBytes)
      this.fail(`"${entry.name}" is ${entry.size} bytes, more than the ${maxBytes} this reader holds`, entry.name);
    const offset = await this.dataOffset(entry);
    const raw = await this.source.read(offset, entry.compressedSize);
    if (raw.length < entry.compressedSize) this.fail(`"${entry.name}" is truncated`, entry.name);
    if (entry.method === 0) return raw;
    if (entry.method !== 8)
      this.fail(
        `"${entry.name}" uses compression method ${entry.method} (only stored and deflate are supported)`,
        entry.name,
      );
    return this.inflate(raw, entry, maxBytes);
  }

  async text(entry: ZipEntry, maxBytes?: number): Promise<string> {
    return utf8.decode(await this.read(entry, maxBytes));
  }

  private async inflate(raw: Uint8Array, entry: ZipEntry, maxBytes: number): Promise<Uint8Array> {
    const limit = Math.min(maxBytes, Math.max(entry.size, 0));
    const stream = new Blob([raw as Uint8Array<ArrayBuffer>])
      .stream()
      .pipeThrough(new DecompressionStream('deflate-raw'));
    const reader = stream.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        // Never trust the declared size further than it goes: a zip bomb stops here.
        if (total > limit)
          this.fail(`"${entry.name}" inflates to more than its declared ${entry.size} bytes`, entry.name);
        chunks.push(value);
      }
    } catch (err) {
      if (err instanceof DecodeError) throw err;
      this.fail(
        `"${entry.name}" is not valid deflate data (${err instanceof Error ? err.message : String(err)})`,
        entry.name,
      );
    } finally {
      reader.cancel().catch(() => undefined);
    }
    const out = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

function u64(dv: DataView, at: number): number {
  const lo = dv.getUint32(at, true);
  const hi = dv.getUint32(at + 4, true);
  const v = hi * 4294967296 + lo;
  return Number.isSafeInteger(v) ? v : Number.MAX_SAFE_INTEGER;
}
