import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';

const CHUNK = 1 << 20;
const utf8 = new TextDecoder('utf-8');

/**
 * Sequential little-endian reads over a ByteSource through a 1 MiB window: a GGUF header (metadata and tensor
 * infos) is read front to back without loading the tensor data behind it. Call `fill(n)` before reading `n` bytes
 * unless `has(n)` says they are buffered (the hot path of long token arrays stays synchronous).
 */
export class RangeCursor {
  pos = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private dv = new DataView(this.buf.buffer);
  private bufStart = 0;

  constructor(readonly source: ByteSource) {}

  has(n: number): boolean {
    return this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length;
  }

  async fill(n: number, what: string): Promise<void> {
    if (this.has(n)) return;
    if (this.pos + n > this.source.size) {
      throw new DecodeError(
        `${what} runs past the end of the file at byte ${this.pos} (needs ${n} bytes, file is ${this.source.size}): truncated`,
        this.source.name,
        what,
      );
    }
    this.bufStart = this.pos;
    this.buf = await this.source.read(this.pos, Math.max(n, CHUNK));
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  private at(n: number): number {
    const o = this.pos - this.bufStart;
    this.pos += n;
    return o;
  }

  u8(): number {
    return this.buf[this.at(1)];
  }
  i8(): number {
    return this.dv.getInt8(this.at(1));
  }
  u16(): number {
    return this.dv.getUint16(this.at(2), true);
  }
  i16(): number {
    return this.dv.getInt16(this.at(2), true);
  }
  u32(): number {
    return this.dv.getUint32(this.at(4), true);
  }
  i32(): number {
    return this.dv.getInt32(this.at(4), true);
  }
  f32(): number {
    return this.dv.getFloat32(this.at(4), true);
  }
  f64(): number {
    return this.dv.getFloat64(this.at(8), true);
  }
  /** 64-bit values as numbers: exact below 2^53, which every size and offset in a real file is. */
  u64(): number {
    const o = this.at(8);
    return this.dv.getUint32(o, true) + this.dv.getUint32(o + 4, true) * 4294967296;
  }
  i64(): number {
    const o = this.at(8);
    return this.dv.getUint32(o, true) + this.dv.getInt32(o + 4, true) * 4294967296;
  }
  text(n: number): string {
    return utf8.decode(this.buf.subarray(this.at(n), this.pos - this.bufStart));
  }
  skip(n: number): void {
    this.pos += n;
  }
}
