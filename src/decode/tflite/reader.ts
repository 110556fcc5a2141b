import { ByteBuffer } from 'flatbuffers';
import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';

interface Segment {
  start: number;
  end: number;
  bytes: Uint8Array;
  bb: ByteBuffer;
}

const TWO_32 = 4294967296;

/**
 * Bounds-checked flatbuffer access by absolute file offset over the parts of a file that were read.
 *
 * The loaded parts are segments (the whole file, the gaps between skipped weight payloads, or pages read on
 * demand), each read through a flatbuffers ByteBuffer. Every access checks that its bytes lie in a loaded
 * segment and otherwise throws a DecodeError naming the file and the field, so a corrupt offset can never read
 * garbage past the end of a buffer, loop forever or crash.
 */
export class FlatReader {
  private segs: Segment[] = [];
  private cur: Segment | null = null;
  /** Start of the last span() inside the returned array. */
  spanStart = 0;
  bytesRead = 0;

  /** `page`: granularity of on-demand reads (small when reading scattered tables amid weight data). */
  constructor(
    readonly file: string,
    readonly fileSize: number,
    private readonly source?: ByteSource,
    private readonly page = 16 << 10,
  ) {}

  add(start: number, bytes: Uint8Array): void {
    const seg: Segment = { start, end: start + bytes.length, bytes, bb: new ByteBuffer(bytes) };
    let i = this.segs.length;
    while (i > 0 && this.segs[i - 1].start > start) i--;
    this.segs.splice(i, 0, seg);
    this.cur = seg;
  }

  /** The segment holding [pos, pos + n), or null. */
  private find(pos: number, n: number): Segment | null {
    const c = this.cur;
    if (c && pos >= c.start && pos + n <= c.end) return c;
    const segs = this.segs;
    let lo = 0;
    let hi = segs.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid].start <= pos) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Pages read on demand may overlap: look back for one that holds the whole range.
    for (let i = at; i >= 0 && i > at - 8; i--) {
      const s = segs[i];
      if (pos >= s.start && pos + n <= s.end) return (this.cur = s);
    }
    return null;
  }

  /** How many segments are loaded (on-demand readers are dropped once they hold many pages). */
  get segmentCount(): number {
    return this.segs.length;
  }

  has(pos: number, n: number): boolean {
    return this.find(pos, n) !== null;
  }

  private seg(pos: number, n: number, what: string): Segment {
    const s = this.find(pos, n);
    if (s) return s;
    return this.fail(what, pos, n);
  }

  fail(what: string, pos: number, n: number): never {
    const where =
      !Number.isFinite(pos) || pos < 0 || pos + n > this.fileSize
        ? `points past the end of the file (${n} bytes at offset ${pos}, file size ${this.fileSize})`
        : `points into data that is not part of the model structure (${n} bytes at offset ${pos})`;
    throw new DecodeError(`corrupt or truncated TFLite file: ${what} ${where}`, this.file, what);
  }

  error(what: string, message: string): never {
    throw new DecodeError(`corrupt TFLite file: ${what} ${message}`, this.file, what);
  }

  /** Reads [pos, pos + n) from the source unless already loaded, in whole pages, for on-demand access. */
  async ensure(pos: number, n: number, what: string): Promise<void> {
    if (this.find(pos, n)) return;
    if (!this.source || !Number.isFinite(pos) || pos < 0 || n < 0 || pos + n > this.fileSize) this.fail(what, pos, n);
    const start = Math.floor(pos / this.page) * this.page;
    const end = Math.min(this.fileSize, Math.ceil((pos + n) / this.page) * this.page);
    const bytes = await this.source.read(start, end - start);
    this.bytesRead += bytes.length;
    if (bytes.length !== end - start) this.fail(what, pos, n);
    this.add(start, bytes);
  }

  u8(pos: number, what: string): number {
    const s = this.seg(pos, 1, what);
    return s.bb.readUint8(pos - s.start);
  }

  i8(pos: number, what: string): number {
    const s = this.seg(pos, 1, what);
    return s.bb.readInt8(pos - s.start);
  }

  u16(pos: number, what: string): number {
    const s = this.seg(pos, 2, what);
    return s.bb.readUint16(pos - s.start);
  }

  i32(pos: number, what: string): number {
    const s = this.seg(pos, 4, what);
    return s.bb.readInt32(pos - s.start);
  }

  u32(pos: number, what: string): number {
    const s = this.seg(pos, 4, what);
    return s.bb.readUint32(pos - s.start);
  }

  f32(pos: number, what: string): number {
    const s = this.seg(pos, 4, what);
    return s.bb.readFloat32(pos - s.start);
  }

  /** An unsigned 64-bit value as a number (exact below 2^53, which any real file offset or size is). */
  u64(pos: number, what: string): number {
    const s = this.seg(pos, 8, what);
    return s.bb.readUint32(pos - s.start) + s.bb.readUint32(pos - s.start + 4) * TWO_32;
  }

  /** A signed 64-bit value as a number (quantization zero points). */
  i64(pos: number, what: string): number {
    const s = this.seg(pos, 8, what);
    return s.bb.readUint32(pos - s.start) + s.bb.readInt32(pos - s.start + 4) * TWO_32;
  }

  /** The loaded array holding [pos, pos + n); the range starts at `spanStart` in it. */
  span(pos: number, n: number, what: string): Uint8Array {
    const s = this.seg(pos, n, what);
    this.spanStart = pos - s.start;
    return s.bytes;
  }

  // Flatbuffer tables ---------------------------------------------------------------------------------------

  /** Absolute position of a table field, 0 when absent. */
  field(table: number, slot: number, what: string): number {
    const vt = table - this.i32(table, what);
    const vlen = this.u16(vt, what);
    const at = 4 + 2 * slot;
    if (at + 2 > vlen) return 0;
    const off = this.u16(vt + at, what);
    return off ? table + off : 0;
  }

  /** Size in bytes of a table's inline part, from its vtable (the table's own record). */
  tableSize(table: number, what: string): number {
    const vt = table - this.i32(table, what);
    return this.u16(vt + 2, what);
  }

  /** Target of an offset field (table, vector or string), 0 when absent. */
  ref(table: number, slot: number, what: string): number {
    const p = this.field(table, slot, what);
    return p ? p + this.u32(p, what) : 0;
  }

  /** Vector field: position of its first element, or 0 when absent; `length` gets its element count. */
  length = 0;
  vector(table: number, slot: number, elemSize: number, what: string): number {
    const v = this.ref(table, slot, what);
    if (!v) {
      this.length = 0;
      return 0;
    }
    const n = this.u32(v, what);
    if (n * elemSize > this.fileSize) this.fail(what, v + 4, n * elemSize);
    if (n) this.seg(v + 4, n * elemSize, what);
    this.length = n;
    return v + 4;
  }

  /** Element i of a vector of tables. */
  tableAt(vec: number, i: number, what: string): number {
    const e = vec + 4 * i;
    return e + this.u32(e, what);
  }

  string(table: number, slot: number, what: string, max = 1 << 20): string {
    const v = this.ref(table, slot, what);
    if (!v) return '';
    const n = this.u32(v, what);
    const bytes = this.span(v + 4, Math.min(n, max), what);
    if (n > max) this.seg(v + 4, n, what);
    return utf8.decode(bytes.subarray(this.spanStart, this.spanStart + Math.min(n, max)));
  }

  scalarU8(table: number, slot: number, def: number, what: string): number {
    const p = this.field(table, slot, what);
    return p ? this.u8(p, what) : def;
  }

  scalarI8(table: number, slot: number, def: number, what: string): number {
    const p = this.field(table, slot, what);
    return p ? this.i8(p, what) : def;
  }

  scalarI32(table: number, slot: number, def: number, what: string): number {
    const p = this.field(table, slot, what);
    return p ? this.i32(p, what) : def;
  }

  scalarU32(table: number, slot: number, def: number, what: string): number {
    const p = this.field(table, slot, what);
    return p ? this.u32(p, what) : def;
  }

  scalarU64(table: number, slot: number, def: number, what: string): number {
    const p = this.field(table, slot, what);
    return p ? this.u64(p, what) : def;
  }

  // Async counterparts for on-demand (paged) access ------------------------------------------------------------

  /** Loads a table's vtable and inline part. */
  async loadTable(table: number, what: string): Promise<void> {
    await this.ensure(table, 4, what);
    const vt = table - this.i32(table, what);
    await this.ensure(vt, 4, what);
    const vlen = this.u16(vt, what);
    const size = this.u16(vt + 2, what);
    if (vlen < 4) this.error(what, `has a vtable of ${vlen} bytes`);
    await this.ensure(vt, vlen, what);
    await this.ensure(table, Math.max(4, size), what);
  }

  /** Loads the target of an offset field (its first `head` bytes) and returns its position, 0 when absent. */
  async loadRef(table: number, slot: number, head: number, what: string): Promise<number> {
    const p = this.field(table, slot, what);
    if (!p) return 0;
    await this.ensure(p, 4, what);
    const v = p + this.u32(p, what);
    await this.ensure(v, head, what);
    return v;
  }

  /** Loads a whole vector field; returns its first element's position (0 when absent), count in `length`. */
  async loadVector(table: number, slot: number, elemSize: number, what: string): Promise<number> {
    const v = await this.loadRef(table, slot, 4, what);
    if (!v) {
      this.length = 0;
      return 0;
    }
    const n = this.u32(v, what);
    if (n * elemSize > this.fileSize) this.fail(what, v + 4, n * elemSize);
    await this.ensure(v + 4, n * elemSize, what);
    this.length = n;
    return v + 4;
  }
}

const utf8 = new TextDecoder('utf-8');
