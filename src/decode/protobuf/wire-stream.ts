import type { ByteSource } from '../io/byte-source.ts';
import { decodeUtf8, type StringTable } from '../../graph/columns.ts';
import { DecodeError } from '../errors.ts';

/**
 * Protobuf wire-format reader over a ByteSource that keeps only a window of the file in memory.
 *
 * Why not protobufjs's Reader: it needs the whole message in one buffer, and an ONNX model is one message that
 * can hold many GB of weights. Here small messages are parsed synchronously from the window, and large fields
 * (weights) are skipped by moving `pos` past them, so their bytes are never read.
 */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

/** Read-ahead starts small after a jump (skipped weights) and doubles while reads stay sequential. */
const MIN_CHUNK = 64 << 10;
export const MAX_CHUNK = 16 << 20;
const TWO_32 = 4294967296;
const EMPTY: Uint8Array = new Uint8Array(0);

export class WireStream {
  /** Absolute file offset of the next byte to read. */
  pos = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  /** The message being decoded, named in errors. */
  label = '';
  private readAhead = MIN_CHUNK;
  private readonly mergeBuffers = [EMPTY, EMPTY];
  /** Bytes read past the window (file offset `aheadStart`), waiting until the window reaches them. */
  private ahead: Uint8Array = EMPTY;
  private aheadStart = 0;
  private mergeTurn = 0;
  bytesRead = 0;

  constructor(
    readonly source: ByteSource,
    readonly onChunk?: (pos: number) => void,
  ) {}

  /** The bytes in memory; `window[i]` is the file's byte `windowStart + i`. For hand-rolled inner loops. */
  get window(): Uint8Array {
    return this.buf;
  }

  get windowStart(): number {
    return this.bufStart;
  }

  get size(): number {
    return this.source.size;
  }

  /** True when [pos, pos + n) is in the window. */
  has(n: number): boolean {
    return this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length;
  }

  /**
   * Loads [pos, pos + n) (clipped to the file end) into the window; reads ahead a chunk.
   *
   * A read-ahead chunk is not copied behind the unread tail of the window: the window becomes the tail plus just the
   * `n` bytes asked for (usually the rest of one record), and the chunk waits in `ahead` until the window reaches
   * it. Copying every 16 MB chunk cost as much as parsing it (page faults, external-memory GCs).
   */
  async fill(n: number): Promise<void> {
    if (this.pos > this.size) this.fail('read past the end of the file');
    const want = Math.min(n, this.size - this.pos);
    if (this.ahead.length && this.useAhead(want)) {
      this.onChunk?.(this.pos);
      return;
    }
    const bufEnd = this.bufStart + this.buf.length;
    const sequential = this.pos >= this.bufStart && this.pos <= bufEnd;
    this.readAhead = sequential ? Math.min(this.readAhead * 2, MAX_CHUNK) : MIN_CHUNK;
    if (sequential && this.pos < bufEnd) {
      // Keep the unread tail and read on from where the last read ended, so reads stay contiguous (a URL source
      // can then fetch the next range while this one is parsed).
      const tail = this.buf.subarray(this.pos - this.bufStart);
      const more = await this.source.read(
        bufEnd,
        Math.min(Math.max(n - tail.length, this.readAhead), this.size - bufEnd),
      );
      this.bytesRead += more.length;
      const take = Math.min(more.length, Math.max(want - tail.length, 0));
      this.buf = this.merged(tail, more.subarray(0, take));
      this.ahead = more.subarray(take);
      this.aheadStart = bufEnd + take;
    } else {
      this.buf = await this.source.read(this.pos, Math.min(Math.max(n, this.readAhead), this.size - this.pos));
      this.bytesRead += this.buf.length;
    }
    this.bufStart = this.pos;
    if (this.buf.length < want) this.fail('read past the end of the file');
    this.onChunk?.(this.pos);
  }

  /** Serves fill() from the chunk already read ahead; false (and `ahead` dropped or used up) when it cannot. */
  private useAhead(want: number): boolean {
    const bufEnd = this.bufStart + this.buf.length;
    const aheadEnd = this.aheadStart + this.ahead.length;
    if (this.pos >= this.aheadStart && this.pos < aheadEnd) {
      // At or past the window's end (a skipped field): the window moves into the chunk, no copy.
      this.buf = this.ahead.subarray(this.pos - this.aheadStart);
    } else if (this.pos >= this.bufStart && this.pos < bufEnd && bufEnd === this.aheadStart) {
      const tail = this.buf.subarray(this.pos - this.bufStart);
      const take = Math.min(this.ahead.length, Math.max(want - tail.length, 0));
      this.buf = this.merged(tail, this.ahead.subarray(0, take));
      this.ahead = this.ahead.subarray(take);
      this.aheadStart += take;
      this.bufStart = this.pos;
      return this.buf.length >= want;
    } else {
      this.ahead = EMPTY;
      return false;
    }
    this.bufStart = this.pos;
    this.ahead = EMPTY;
    return this.buf.length >= want;
  }

  /**
   * `tail` followed by `more`, in one of two buffers that take turns (the other may still hold `tail`): only the
   * pieces around chunk boundaries are merged, so these stay small and are reused.
   */
  private merged(tail: Uint8Array, more: Uint8Array): Uint8Array {
    const length = tail.length + more.length;
    let target = this.mergeBuffers[this.mergeTurn];
    if (target.length < length) {
      target = new Uint8Array(Math.max(length, 2 * target.length, 4096));
      this.mergeBuffers[this.mergeTurn] = target;
    }
    target.set(tail);
    target.set(more, tail.length);
    this.mergeTurn ^= 1;
    return target.subarray(0, length);
  }

  /** Loads a whole message of `n` bytes, failing cleanly if the file is shorter. */
  async need(n: number): Promise<void> {
    if (this.pos + n > this.size) this.fail(`truncated: needs ${n} bytes at offset ${this.pos}, file has ${this.size}`);
    if (!this.has(n)) await this.fill(n);
  }

  /** Names the field being decoded so errors can say where the file went wrong. */
  at(field: string): this {
    this.label = field;
    return this;
  }

  fail(message: string): never {
    throw new DecodeError(`${message}${this.label ? ` (in ${this.label})` : ''}`, this.source.name, this.label);
  }

  private index(n: number): number {
    const i = this.pos - this.bufStart;
    if (i < 0 || i + n > this.buf.length) {
      this.fail(this.pos + n > this.size ? 'unexpected end of file' : 'field runs past the end of its message');
    }
    return i;
  }

  /** Unsigned varint as a number (exact below 2^53). */
  uint(): number {
    const i = this.pos - this.bufStart;
    const buf = this.buf;
    if (i >= 0 && i < buf.length) {
      const b0 = buf[i];
      if (b0 < 0x80) {
        this.pos++;
        return b0;
      }
    }
    const [lo, hi] = this.varint64();
    return hi * TWO_32 + lo;
  }

  /** Signed int64 varint (two's complement) as a number. */
  int64(): number {
    const [lo, hi] = this.varint64();
    if (hi & 0x80000000) return -((0xffffffff - hi) * TWO_32 + (TWO_32 - lo));
    return hi * TWO_32 + lo;
  }

  private varint64(): [number, number] {
    let i = this.index(1);
    const buf = this.buf;
    const end = Math.min(buf.length, i + 10);
    let lo = 0;
    let hi = 0;
    let shift = 0;
    let b = 0x80;
    while (i < end && b & 0x80) {
      b = buf[i++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      shift += 7;
    }
    if (b & 0x80)
      this.fail(
        i >= buf.length && this.bufStart + i >= this.size ? 'unexpected end of file in a varint' : 'malformed varint',
      );
    this.pos = this.bufStart + i;
    return [lo >>> 0, hi >>> 0];
  }

  fixed32(): number {
    const i = this.index(4);
    const b = this.buf;
    this.pos += 4;
    return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
  }

  float32(): number {
    const i = this.index(4);
    this.pos += 4;
    return new DataView(this.buf.buffer, this.buf.byteOffset + i, 4).getFloat32(0, true);
  }

  float64(): number {
    const i = this.index(8);
    this.pos += 8;
    return new DataView(this.buf.buffer, this.buf.byteOffset + i, 8).getFloat64(0, true);
  }

  /** A length prefix, checked against the enclosing message end. */
  length(end: number): number {
    const len = this.uint();
    if (len > end - this.pos) {
      // Past the end of the file, not only of the message: the file was cut short (same words as `need`).
      if (this.pos + len > this.size)
        this.fail(
          `truncated: needs ${len} bytes at offset ${this.pos}, file has ${this.size} (a length runs past the end of the file)`,
        );
      this.fail(`length ${len} runs past the end of its message`);
    }
    return len;
  }

  /** UTF-8 string of `len` bytes from the window. */
  string(len: number): string {
    const i = this.index(len);
    this.pos += len;
    return decodeUtf8(this.buf, i, i + len);
  }

  /** Interns a string field straight from the window's bytes (see StringTable.internBytes). */
  stringId(len: number, table: StringTable, eager = false): number {
    const i = this.index(len);
    this.pos += len;
    return table.internBytes(this.buf, i, i + len, eager);
  }

  /** Pools a unique string (a node name) for decoding with the rest at the end. */
  uniqueStringId(len: number, table: StringTable): number {
    const i = this.index(len);
    this.pos += len;
    return table.appendBytes(this.buf, i, i + len);
  }

  /** A view of the window: valid until the next fill() (the window's buffers are reused). */
  bytes(len: number): Uint8Array {
    const i = this.index(len);
    this.pos += len;
    return this.buf.subarray(i, i + len);
  }

  /** Skips a field's payload of the given wire type; a length-delimited payload is skipped without reading it. */
  skip(wire: number, end: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        this.pos += 8;
        break;
      case WIRE_LEN:
        this.pos += this.length(end);
        break;
      case WIRE_FIXED32:
        this.pos += 4;
        break;
      default:
        this.fail(`unsupported wire type ${wire}`);
    }
    if (this.pos > end) this.fail('field runs past the end of its message');
  }
}

/** Sync handler for one field; for length-delimited fields `end` is the field's end and the caller moves past it. */
export type FieldHandler = (field: number, wire: number, end: number) => void;
/** Async handler for a length-delimited field too large to hold in the window. */
export type LargeFieldHandler = (field: number, end: number) => Promise<void>;

/** Messages up to this size are parsed from memory; larger ones are streamed field by field. */
export const LARGE_MESSAGE = 16 << 20;

/** Parses a message that is entirely in the window. */
export function parseFields(r: WireStream, end: number, handle: FieldHandler): void {
  const label = r.label;
  while (r.pos < end) {
    const tag = r.uint();
    const wire = tag & 7;
    if (tag < 8) r.fail(`invalid field tag ${tag}`);
    if (wire === WIRE_LEN) {
      const len = r.length(end);
      const fieldEnd = r.pos + len;
      handle(tag >>> 3, wire, fieldEnd);
      r.pos = fieldEnd;
    } else {
      handle(tag >>> 3, wire, end);
    }
    // A nested message named itself while it was read; errors from here on belong to this one again.
    r.label = label;
  }
  if (r.pos !== end) r.fail('message overruns its length');
}

/**
 * Streams a message of any size: small fields are loaded and handed to `handle`, length-delimited fields over
 * LARGE_MESSAGE go to `large` (which may stream them further or leave them unread).
 */
export async function streamFields(
  r: WireStream,
  end: number,
  handle: FieldHandler,
  large: LargeFieldHandler,
): Promise<void> {
  const label = r.label;
  while (r.pos < end) {
    if (!r.has(20)) await r.fill(Math.min(20, end - r.pos));
    const tag = r.uint();
    const wire = tag & 7;
    if (tag < 8) r.fail(`invalid field tag ${tag}`);
    if (wire === WIRE_LEN) {
      const len = r.length(end);
      const fieldEnd = r.pos + len;
      if (len > LARGE_MESSAGE) {
        await large(tag >>> 3, fieldEnd);
      } else {
        if (!r.has(len)) await r.fill(len);
        handle(tag >>> 3, wire, fieldEnd);
      }
      r.pos = fieldEnd;
    } else {
      handle(tag >>> 3, wire, end);
    }
    r.label = label;
  }
  if (r.pos !== end) r.fail('message overruns its length');
}

export type FieldVisitor = (field: number, wire: number, end: number) => Promise<void> | void;

/**
 * Walks the fields of [pos, end) with an async visitor for every field, for decoders whose nested messages may each
 * need more of the file (Core ML); the visitor reads or ignores each payload (unread ones are then skipped).
 */
export async function walkFields(r: WireStream, end: number, visit: FieldVisitor): Promise<void> {
  const label = r.label;
  while (r.pos < end) {
    if (!r.has(20)) await r.fill(Math.min(20, end - r.pos));
    const tag = r.uint();
    const wire = tag & 7;
    if (tag < 8) r.fail(`invalid field tag ${tag}`);
    if (wire === WIRE_LEN) {
      const len = r.length(end);
      const fieldEnd = r.pos + len;
      await visit(tag >>> 3, wire, fieldEnd);
      r.pos = fieldEnd;
    } else {
      const before = r.pos;
      await visit(tag >>> 3, wire, end);
      if (r.pos === before) r.skip(wire, end);
    }
    r.label = label;
  }
  if (r.pos !== end) r.fail('message overruns its length');
}
