/** Growable typed-array columns: amortised O(1) push without per-element objects. */

type TypedArray = Uint8Array | Uint32Array | Int32Array | Float64Array;
type TypedArrayCtor<T extends TypedArray> = { new (length: number): T };

export class Column<T extends TypedArray> {
  data: T;
  length = 0;
  constructor(
    private readonly ctor: TypedArrayCtor<T>,
    capacity = 64,
  ) {
    this.data = new ctor(capacity);
  }

  push(v: number): number {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length] = v;
    return this.length++;
  }

  set(i: number, v: number): void {
    this.data[i] = v;
  }

  get(i: number): number {
    return this.data[i];
  }

  /** Makes room for `capacity` elements up front (a size known or guessed before pushing). */
  reserve(capacity: number): void {
    if (capacity > this.data.length) this.grow(capacity);
  }

  private grow(min: number): void {
    const next = new this.ctor(Math.max(min, this.data.length * 2));
    next.set(this.data as never);
    this.data = next;
  }

  /** A right-sized copy; the column stays usable. */
  toArray(): T {
    return this.data.slice(0, this.length) as T;
  }
}

export const u8 = () => new Column(Uint8Array);
export const u32 = () => new Column(Uint32Array);
export const i32 = () => new Column(Int32Array);
export const f64 = () => new Column(Float64Array);

const utf8 = new TextDecoder('utf-8');

/** Presizing limits: 512k entries (6.5 MB of columns) and their names at ~32 bytes each (16 MB of pool). */
const MAX_PRESIZED_ENTRIES = 1 << 19;
const PRESIZED_BYTES_PER_ENTRY = 32;

/**
 * One string table per model; interning keeps repeated op types and tensor names to one entry.
 *
 * Decoders intern names straight from file bytes (`internBytes`): a name mentioned many times (a tensor consumed
 * by several nodes) is hashed and compared as bytes, and its bytes are kept in one pool. `finish()` turns the
 * pool into strings with a single decode (names are nearly always ASCII, so each string is then a cheap slice),
 * instead of hundreds of thousands of small decodes and the garbage they leave.
 */
export class StringTable {
  readonly strings: string[] = [''];
  private readonly index = new Map<string, number>([['', 0]]);

  private slots: Int32Array;
  private entryStart: Uint32Array;
  private entryLength: Uint32Array;
  private entryId: Int32Array;
  private entryHashed: Uint8Array;
  private entryCount = 0;
  private hashedCount = 0;
  private pool: Uint8Array;
  private poolUsed = 0;
  /** String ids whose text is still only in the pool, as (id, entry) pairs. */
  private pending: number[] = [];

  /**
   * `expected` (a guess at the distinct strings) presizes the index, the entry columns and the byte pool, so a
   * node-heavy model rarely regrows them (each regrow copies everything so far). Capped: the guess comes from the
   * file size, and a weight-heavy file has far fewer names than its size suggests.
   */
  constructor(expected = 0) {
    let size = 1 << 12;
    while (size < expected * 2 && size < 1 << 23) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    const entries = Math.max(1 << 11, Math.min(expected, MAX_PRESIZED_ENTRIES));
    this.entryStart = new Uint32Array(entries);
    this.entryLength = new Uint32Array(entries);
    this.entryId = new Int32Array(entries);
    this.entryHashed = new Uint8Array(entries);
    this.pool = new Uint8Array(Math.max(1 << 16, entries * PRESIZED_BYTES_PER_ENTRY));
  }

  /** The string id of `bytes[start, end)` read as UTF-8; `eager` decodes it now (op types read during decode). */
  internBytes(bytes: Uint8Array, start: number, end: number, eager = false): number {
    const len = end - start;
    if (len === 0) return 0;
    const h = hashBytes(bytes, start, end);
    const mask = this.slots.length - 1;
    let slot = h & mask;
    const pool = this.pool;
    for (;;) {
      const e = this.slots[slot];
      if (e < 0) break;
      if (this.entryLength[e] === len && sameBytes(pool, this.entryStart[e], bytes, start, len)) {
        const id = this.entryId[e];
        if (eager && this.strings[id] === undefined) this.strings[id] = decodeUtf8(bytes, start, end);
        return id;
      }
      slot = (slot + 1) & mask;
    }
    const id = this.strings.length;
    this.strings.push(eager ? decodeUtf8(bytes, start, end) : (undefined as unknown as string));
    const e = this.addEntry(bytes, start, len, id);
    if (!eager) this.pending.push(id, e);
    this.slots[slot] = e;
    this.entryHashed[e] = 1;
    if (++this.hashedCount * 2 > this.slots.length) this.rehash();
    return id;
  }

  /** A string known to be unique (a node name), from bytes: pooled and decoded with the rest, never hashed. */
  appendBytes(bytes: Uint8Array, start: number, end: number): number {
    if (end === start) return this.append('');
    const id = this.strings.length;
    this.strings.push(undefined as unknown as string);
    this.pending.push(id, this.addEntry(bytes, start, end - start, id));
    return id;
  }

  intern(s: string): number {
    let id = this.index.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.index.set(s, id);
    }
    return id;
  }

  /** For strings known to be unique (node names): skips the map. */
  append(s: string): number {
    this.strings.push(s);
    return this.strings.length - 1;
  }

  /** Decodes every pooled string; call once decoding is done. */
  finish(): string[] {
    const { pending, pool } = this;
    if (pending.length) {
      let ascii = true;
      for (let i = 0; i < this.poolUsed; i++) {
        if (pool[i] >= 0x80) {
          ascii = false;
          break;
        }
      }
      const text = ascii ? latin1.decode(pool.subarray(0, this.poolUsed)) : '';
      for (let k = 0; k < pending.length; k += 2) {
        const e = pending[k + 1];
        const s = this.entryStart[e];
        const n = this.entryLength[e];
        this.strings[pending[k]] = ascii ? text.slice(s, s + n) : decodeUtf8(pool, s, s + n);
      }
      this.pending = [];
    }
    return this.strings;
  }

  private addEntry(bytes: Uint8Array, start: number, len: number, id: number): number {
    const e = this.entryCount++;
    if (e === this.entryStart.length) {
      this.entryStart = grown(this.entryStart, e * 2);
      this.entryLength = grown(this.entryLength, e * 2);
      this.entryId = grown(this.entryId, e * 2);
      this.entryHashed = grown(this.entryHashed, e * 2);
    }
    if (this.poolUsed + len > this.pool.length)
      this.pool = grown(this.pool, Math.max(this.pool.length * 2, this.poolUsed + len));
    // A plain loop: a subarray view per name would be garbage for every string in the model.
    const pool = this.pool;
    const at = this.poolUsed;
    for (let i = 0; i < len; i++) pool[at + i] = bytes[start + i];
    this.entryStart[e] = this.poolUsed;
    this.entryLength[e] = len;
    this.entryId[e] = id;
    this.poolUsed += len;
    return e;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let e = 0; e < this.entryCount; e++) {
      // Node names are pooled too but never looked up by bytes; they don't take slots.
      if (!this.entryHashed[e]) continue;
      const o = this.entryStart[e];
      let slot = hashBytes(this.pool, o, o + this.entryLength[e]) & mask;
      while (slots[slot] >= 0) slot = (slot + 1) & mask;
      slots[slot] = e;
    }
    this.slots = slots;
  }
}

const latin1 = new TextDecoder('latin1');

function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}

function sameBytes(a: Uint8Array, ao: number, b: Uint8Array, bo: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

function grown<T extends Uint8Array | Uint32Array | Int32Array>(a: T, length: number): T {
  const next = new (a.constructor as { new (n: number): T })(length);
  next.set(a as never);
  return next;
}

/** UTF-8 to string with a fast path for short ASCII names, which is nearly every name in a model. */
export function decodeUtf8(b: Uint8Array, start: number, end: number): string {
  if (end - start <= 96) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = b[i];
      if (c >= 0x80) return utf8.decode(b.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(b.subarray(start, end));
}
