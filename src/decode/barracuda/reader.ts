import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';

/**
 * Sequential little-endian reads over a ByteSource through a sliding window, for formats written by .NET's
 * BinaryWriter: fixed-size numbers, and strings as a char count followed by that many UTF-8 encoded chars.
 */

const WINDOW = 1 << 20;
/** A string longer than this is not a layer or tensor name. */
const MAX_STRING_CHARS = 1 << 20;

export class BinaryCursor {
  private buf: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  private bufStart = 0;
  pos = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly what: (pos: number) => string,
  ) {}

  get size(): number {
    return this.source.size;
  }

  fail(message: string): never {
    throw new DecodeError(message, this.source.name, this.what(this.pos));
  }

  /** Makes [pos, pos + n) available in the window. */
  private async ensure(n: number): Promise<number> {
    if (this.pos + n > this.source.size) this.fail(`${this.what(this.pos)} runs past the end of the file (truncated?)`);
    const at = this.pos - this.bufStart;
    if (at >= 0 && at + n <= this.buf.length) return at;
    this.buf = await this.source.read(this.pos, Math.max(n, WINDOW));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.bufStart = this.pos;
    if (this.buf.length < n) this.fail(`${this.what(this.pos)} is cut short`);
    return 0;
  }

  async i32(): Promise<number> {
    const at = await this.ensure(4);
    this.pos += 4;
    return this.view.getInt32(at, true);
  }

  async f32(): Promise<number> {
    const at = await this.ensure(4);
    this.pos += 4;
    return this.view.getFloat32(at, true);
  }

  async i64(): Promise<number> {
    const at = await this.ensure(8);
    this.pos += 8;
    const v = this.view.getBigInt64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER))
      this.fail(`${this.what(this.pos - 8)}: 64-bit value out of range`);
    return Number(v);
  }

  /** A count that must fit in what is left of the file, each item taking at least `minBytes`. */
  async count(minBytes: number, label: string): Promise<number> {
    const n = await this.i32();
    if (n < 0 || n * minBytes > this.source.size - this.pos) this.fail(`${label} count ${n} does not fit in the file`);
    return n;
  }

  async i32Array(label: string): Promise<number[]> {
    const n = await this.count(4, label);
    const at = await this.ensure(4 * n);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.view.getInt32(at + 4 * i, true);
    this.pos += 4 * n;
    return out;
  }

  /** A .NET `char[]`: the count is in UTF-16 units, the bytes are UTF-8. */
  async string(label: string): Promise<string> {
    const chars = await this.i32();
    if (chars < 0 || chars > MAX_STRING_CHARS || chars > this.source.size - this.pos)
      this.fail(`${label}: string length ${chars} is out of range`);
    const maxBytes = Math.min(chars * 3, this.source.size - this.pos);
    const at = await this.ensure(Math.min(maxBytes, Math.max(chars, 0)));
    // Fast path: ASCII names, one byte per char.
    let ascii = true;
    for (let i = 0; i < chars; i++)
      if (this.buf[at + i] >= 0x80) {
        ascii = false;
        break;
      }
    if (ascii) {
      let s = '';
      for (let i = 0; i < chars; i += 8192)
        s += String.fromCharCode(...this.buf.subarray(at + i, at + Math.min(chars, i + 8192)));
      this.pos += chars;
      return s;
    }
    const full = await this.ensure(maxBytes);
    let units = 0;
    let i = 0;
    while (units < chars) {
      if (i >= maxBytes) this.fail(`${label}: string runs past the end of the file`);
      const b = this.buf[full + i];
      const len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      units += len === 4 ? 2 : 1;
      i += len;
    }
    const s = new TextDecoder('utf-8').decode(this.buf.subarray(full, full + i));
    this.pos += i;
    return s;
  }

  async stringArray(label: string): Promise<string[]> {
    const n = await this.count(4, label);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await this.string(label));
    return out;
  }
}
