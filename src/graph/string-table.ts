import { columnOf, columnsShared, grownColumn, newColumn } from './column-memory.ts';
import { isShared } from './column-buffers.ts';
import { ByteStringList } from './string-list.ts';
import { decodeUtf8 } from './text.ts';
import { grownTo } from './typed-arrays.ts';

/** Presizing limit for the byte pool: the guess comes from the file size, and weight-heavy files have few names. */
const MAX_PRESIZED_ENTRIES = 1 << 19;
const PRESIZED_BYTES_PER_ENTRY = 32;
/** Per pooled string id: its hash, pool offset and byte length (bitwise-not when not ASCII), side by side. */
const ENTRY_INTS = 3;
const NO_VIEW = new DataView(new ArrayBuffer(0));
/** The most name bytes one table holds: a thread may read them as one JS string, and V8 caps those at ~512 MB. */
const MAX_TEXT = 256 << 20;

/**
 * One string table per model; interning keeps repeated op types and tensor names to one entry.
 *
 * Decoders intern names straight from file bytes (`internBytes`): a name mentioned many times (a tensor consumed
 * by several nodes) is hashed and compared as bytes, and its bytes are kept in one pool. Nothing is decoded per
 * mention, nor at the end: `finish()` hands over the pool itself as a ByteStringList, which decodes a name only when
 * it is read (names are nearly always ASCII, so one character per byte).
 *
 * The byte index holds only string ids, four bytes a slot; each id's hash, pool offset and length sit side by side
 * in `entries`. At 100k-1M names nearly every lookup of a cold name misses the cache, and a quarter-size index
 * misses less often than slots that carry everything (interning a 100k-node chain's names: ~15% faster).
 *
 * Hashing, comparing and pooling go four bytes at a time through DataViews (names average ~40 bytes): a byte loop
 * there was a third of the interning time.
 */
export class StringTable {
  /**
   * Text by string id for the ids made from JS strings or decoded eagerly (op types the decoder reads back),
   * `undefined` for the rest, which stay in the pool. Presized and grown by doubling rather than pushed to: at
   * 100k-1M names, `push` into a large array costs ~4x a store into a presized one.
   */
  private texts: string[];
  private count = 1;
  private readonly index = new Map<string, number>([['', 0]]);

  /** The byte index: string id + 1 per slot (0 = empty), open addressing. */
  private slots: Int32Array;
  private hashedCount = 0;
  private pool: Uint8Array;
  private poolUsed = 0;
  /** ENTRY_INTS per pooled string id; read by lookups that land on the id, and by finish(). */
  private entries: Int32Array;
  private poolView: DataView<ArrayBufferLike>;
  /** The last byte array interned from (a decoder's window) and a view of it, reused while the window stays. */
  private lastBytes: Uint8Array | null = null;
  private lastView: DataView<ArrayBufferLike> = NO_VIEW;

  /**
   * `expected` (a guess at the distinct strings) presizes the index and the byte pool, so a node-heavy model rarely
   * regrows them (each regrow copies everything so far).
   */
  constructor(expected = 0) {
    // Unique names (appendBytes) never take a slot, so `expected` slots keep the load under one half; a smaller
    // index is a warmer one.
    let size = 1 << 12;
    while (size < expected && size < 1 << 21) size *= 2;
    this.slots = new Int32Array(size);
    const entries = Math.max(1 << 11, Math.min(expected, MAX_PRESIZED_ENTRIES));
    this.pool = new Uint8Array(Math.max(1 << 16, entries * PRESIZED_BYTES_PER_ENTRY));
    this.entries = new Int32Array(entries * ENTRY_INTS);
    this.poolView = new DataView(this.pool.buffer);
    this.texts = new Array<string>(Math.max(1024, Math.min(Math.ceil(expected), 1 << 22)));
    this.texts[0] = '';
  }

  /** Strings by id as far as decoded during decoding (see `texts`): what a decoder may read back. */
  get strings(): string[] {
    return this.texts;
  }

  /** How many ids the table has handed out: an intern that raised it made a new string. */
  get size(): number {
    return this.count;
  }

  /** True when string `id`, made by internBytes() or appendBytes(), is `bytes[start, end)`. */
  hasBytes(id: number, bytes: Uint8Array, start: number, end: number): boolean {
    const e = id * ENTRY_INTS;
    if (id <= 0 || id >= this.count || e >= this.entries.length) return false;
    const n = this.entries[e + 2];
    const len = end - start;
    return (
      (n < 0 ? ~n : n) === len &&
      sameWords(this.poolView, this.pool, this.entries[e + 1], this.viewOf(bytes), bytes, start, len)
    );
  }

  private nextId(): number {
    const texts = this.texts;
    if (this.count === texts.length) {
      const next = new Array<string>(texts.length * 2);
      for (let i = 0; i < texts.length; i++) next[i] = texts[i];
      this.texts = next;
    }
    return this.count++;
  }

  /** The string id of `bytes[start, end)` read as UTF-8; `eager` decodes it now (op types read during decode). */
  internBytes(bytes: Uint8Array, start: number, end: number, eager = false): number {
    const len = end - start;
    if (len <= 0) return 0;
    const view = this.viewOf(bytes);
    const h = hashWords(view, bytes, start, end);
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = h & mask;
    for (;;) {
      const idPlus1 = slots[slot];
      if (idPlus1 === 0) break;
      const id = idPlus1 - 1;
      const e = id * ENTRY_INTS;
      const entries = this.entries;
      if (entries[e] === h) {
        const n = entries[e + 2];
        if ((n < 0 ? ~n : n) === len && sameWords(this.poolView, this.pool, entries[e + 1], view, bytes, start, len)) {
          if (eager && this.texts[id] === undefined) this.texts[id] = decodeUtf8(bytes, start, end);
          return id;
        }
      }
      slot = (slot + 1) & mask;
    }
    const id = this.pooled(bytes, start, len, eager);
    this.entries[id * ENTRY_INTS] = h;
    slots[slot] = id + 1;
    if (++this.hashedCount * 2 > mask + 1) this.rehash();
    return id;
  }

  /** A string known to be unique (a node name), from bytes: pooled and decoded with the rest, never hashed. */
  appendBytes(bytes: Uint8Array, start: number, end: number): number {
    if (end <= start) return this.append('');
    return this.pooled(bytes, start, end - start, false);
  }

  intern(s: string): number {
    let id = this.index.get(s);
    if (id === undefined) {
      id = this.nextId();
      this.texts[id] = s;
      this.index.set(s, id);
    }
    return id;
  }

  /** For strings known to be unique (node names): skips the map. */
  append(s: string): number {
    const id = this.nextId();
    this.texts[id] = s;
    return id;
  }

  /**
   * The table, once decoding is done: the pool's bytes as they are (one character per byte: names are nearly always
   * ASCII), each id's range in them, and as exceptions the ids whose text is not that range (not ASCII, or interned
   * as a JS string). Nothing is decoded here; see ByteStringList.
   */
  finish(): ByteStringList {
    const { texts, entries } = this;
    const count = this.count;
    // Lets go of the decoder's last window.
    this.lastBytes = null;
    this.lastView = NO_VIEW;
    if (this.poolUsed > MAX_TEXT) {
      throw new Error(
        `the model's names take ${Math.round(this.poolUsed / 2 ** 20)} MB, more than a browser can hold as text`,
      );
    }
    // The pool grows by doubling: a mostly empty tail is cut off rather than kept alive with the table. Shared
    // columns take the pool as it is if it grew in shared memory (its tail was never written), else a copy there.
    const used = this.poolUsed;
    const wasteful = this.pool.length - used > used / 4;
    const pool = wasteful || columnsShared() ? columnOf(this.pool, used) : this.pool.subarray(0, used);
    const ends = newColumn(Uint32Array, count);
    const exceptions = new Map<number, string>();
    let end = 0;
    for (let id = 1; id < count; id++) {
      const e = id * ENTRY_INTS;
      const n = e < entries.length ? entries[e + 2] : 0;
      if (n === 0) {
        // Not pooled (pooled strings are never empty): made from a JS string.
        const s = texts[id];
        if (s) exceptions.set(id, s);
      } else {
        const s = entries[e + 1];
        const len = n < 0 ? ~n : n;
        end = s + len;
        if (n < 0) exceptions.set(id, texts[id] ?? pooledText(this.pool, s, end));
      }
      ends[id] = end;
    }
    return new ByteStringList(pool, ends, exceptions.size ? exceptions : null);
  }

  /** Copies the bytes into the pool under a new string id, left for finish() to decode unless `eager`. */
  private pooled(bytes: Uint8Array, start: number, len: number, eager: boolean): number {
    const id = this.nextId();
    if (this.poolUsed + len > this.pool.length) {
      this.pool = grownColumn(this.pool, Math.max(this.pool.length * 2, this.poolUsed + len));
      this.poolView = new DataView(this.pool.buffer);
    }
    const e = id * ENTRY_INTS;
    if (e >= this.entries.length)
      this.entries = grownTo(this.entries, Math.max(e + ENTRY_INTS, this.entries.length * 2));
    const pool = this.pool;
    const poolView = this.poolView;
    const view = this.viewOf(bytes);
    const at = this.poolUsed;
    let high = 0;
    let i = 0;
    for (; i + 4 <= len; i += 4) {
      const w = view.getInt32(start + i, true);
      poolView.setInt32(at + i, w, true);
      high |= w;
    }
    for (; i < len; i++) {
      const c = bytes[start + i];
      pool[at + i] = c;
      high |= c;
    }
    this.poolUsed += len;
    this.entries[e + 1] = at;
    this.entries[e + 2] = high & 0x80808080 ? ~len : len;
    if (eager) this.texts[id] = decodeUtf8(bytes, start, start + len);
    return id;
  }

  /** A DataView of `bytes` for four-byte reads, made once per window rather than per name. */
  private viewOf(bytes: Uint8Array): DataView {
    if (bytes !== this.lastBytes) {
      this.lastBytes = bytes;
      this.lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.lastView;
  }

  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = slots.length - 1;
    for (let k = 0; k < old.length; k++) {
      const idPlus1 = old[k];
      if (idPlus1 === 0) continue;
      let slot = this.entries[(idPlus1 - 1) * ENTRY_INTS] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = idPlus1;
    }
    this.slots = slots;
  }
}

/** A non-ASCII pooled name: TextDecoder does not read shared memory, so a pool that grew there is read from a copy. */
function pooledText(pool: Uint8Array, start: number, end: number): string {
  return isShared(pool) ? decodeUtf8(pool.slice(start, end), 0, end - start) : decodeUtf8(pool, start, end);
}

/**
 * MurmurHash3 (32-bit) over `b[start, end)`, four bytes at a time read through `view` (a view of `b`): names are
 * long and share prefixes (`/layers.12/attn/`).
 */
function hashWords(view: DataView, b: Uint8Array, start: number, end: number): number {
  let h = end - start;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    h ^= mixWord(view.getInt32(i, true));
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < end) {
    let w = 0;
    for (let j = end - 1; j >= i; j--) w = (w << 8) | b[j];
    h ^= mixWord(w);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

function mixWord(w: number): number {
  const k = Math.imul(w, 0xcc9e2d51);
  return Math.imul((k << 15) | (k >>> 17), 0x1b873593);
}

function sameWords(
  av: DataView,
  a: Uint8Array,
  ao: number,
  bv: DataView,
  b: Uint8Array,
  bo: number,
  len: number,
): boolean {
  let i = 0;
  for (; i + 4 <= len; i += 4) if (av.getInt32(ao + i, true) !== bv.getInt32(bo + i, true)) return false;
  for (; i < len; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}
