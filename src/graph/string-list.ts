import { isShared } from './column-buffers.ts';
import { asciiText } from './text.ts';

/**
 * Read access to a model's string table: what `GraphIR.strings` promises. A plain `string[]` is one (tests and
 * small decoders build those); decoders that intern from file bytes hand over a `ByteStringList`, and a thread that
 * reads most names turns its copy into a `StringList`.
 */
export interface Strings {
  readonly length: number;
  /** The string at `index`, undefined outside the table. */
  at(index: number): string | undefined;
}

/** Whether `v` reads as a string table (a plain array, a StringList or a ByteStringList). */
export function isStrings(v: unknown): v is Strings {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Strings).at === 'function' &&
    typeof (v as Strings).length === 'number'
  );
}

/**
 * What both forms of a decoded table share: string i is the range [ends[i - 1], ends[i]) of one store (a text or
 * bytes), unless `exceptions` holds it.
 */
abstract class RangeStrings implements Strings {
  constructor(
    readonly ends: Uint32Array,
    readonly exceptions: ReadonlyMap<number, string> | null,
  ) {}

  get length(): number {
    return this.ends.length;
  }

  at(index: number): string | undefined {
    const ends = this.ends;
    if ((index | 0) !== index || index < 0 || index >= ends.length) return undefined;
    if (this.exceptions !== null) {
      const s = this.exceptions.get(index);
      if (s !== undefined) return s;
    }
    return this.range(index, index > 0 ? ends[index - 1] : 0, ends[index]);
  }

  /** String `index`, the store's [start, end). */
  protected abstract range(index: number, start: number, end: number): string;
}

/**
 * A string table held as one text and where each string ends in it, with strings cut out only when read.
 *
 * A million-node model has ~2.6M names. As separate JS strings they cost ~25 bytes of heap each beyond their
 * characters, in every thread that holds the model, plus the time to make them and the collector's time to trace
 * them; and most are never read (names are read for the few boxes on screen, the selection, a search). The text
 * and its offsets are one string and one typed array, which cross threads without being cut apart.
 *
 * `exceptions` holds the strings whose text is not their range of `text`: names that were not ASCII in a text
 * decoded one character per byte (see ByteStringList.toText), and names interned as JS strings rather than bytes.
 */
export class StringList extends RangeStrings {
  constructor(
    readonly text: string,
    /** End of string i in `text`; it starts where string i - 1 ends. */
    ends: Uint32Array,
    exceptions: ReadonlyMap<number, string> | null = null,
  ) {
    super(ends, exceptions);
  }

  /** The table of `strings` (a plain array, say), joined. */
  static of(strings: Strings): StringList {
    const ends = new Uint32Array(strings.length);
    const parts = new Array<string>(strings.length);
    let n = 0;
    for (let i = 0; i < strings.length; i++) {
      const s = strings.at(i) ?? '';
      parts[i] = s;
      n += s.length;
      ends[i] = n;
    }
    return new StringList(parts.join(''), ends);
  }

  protected range(_index: number, start: number, end: number): string {
    return this.text.slice(start, end);
  }
}

/** Slots of ByteStringList's read cache: op types and other ids read once per node stay decoded. */
const READ_CACHE = 4096;
/** Characters per String.fromCharCode call, well under engines' argument limits. */
const CHARS_PER_CALL = 4096;

/**
 * A string table held as bytes, one character per byte, and where each string ends in them: StringList's table
 * before it is decoded. The bytes can be shared memory (see shareColumns), so the decode worker and the page read one
 * copy of a model's names instead of a text each (a 1M-node model's names are 83 MB). A name is decoded when read,
 * ~150 ns for a scope path: fine for what the page reads (labels on screen, the selection, a search), while a thread
 * that reads every name in bulk (grouping, in the layout worker) gets its own copy as text (`toText`).
 */
export class ByteStringList extends RangeStrings {
  private readonly cachedId = new Int32Array(READ_CACHE).fill(-1);
  private readonly cachedText = new Array<string>(READ_CACHE).fill('');

  constructor(
    /** The names' bytes, one character each; the ranges of `exceptions` ids hold nothing that is read. */
    readonly bytes: Uint8Array,
    /** End of string i in `bytes`; it starts where string i - 1 ends. */
    ends: Uint32Array,
    exceptions: ReadonlyMap<number, string> | null = null,
  ) {
    super(ends, exceptions);
  }

  protected range(index: number, start: number, end: number): string {
    const slot = index & (READ_CACHE - 1);
    if (this.cachedId[slot] === index) return this.cachedText[slot];
    const s = oneBytePerChar(this.bytes, start, end);
    this.cachedId[slot] = index;
    this.cachedText[slot] = s;
    return s;
  }

  /** The same table as one text, for a thread that reads most of its names. */
  toText(): StringList {
    const { bytes } = this;
    // Browsers' TextDecoder does not read shared memory.
    const own = isShared(bytes) ? bytes.slice() : bytes;
    return new StringList(own.length > 0 ? asciiText(own, 0, own.length) : '', this.ends, this.exceptions);
  }
}

function oneBytePerChar(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= CHARS_PER_CALL) return String.fromCharCode.apply(null, bytes.subarray(start, end) as never);
  const parts: string[] = [];
  for (let i = start; i < end; i += CHARS_PER_CALL) {
    parts.push(String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + CHARS_PER_CALL)) as never));
  }
  return parts.join('');
}

/**
 * The table whose string k is `source`'s string `ids[k]`, or '' where that id is -1. From a ByteStringList the picked
 * names' bytes are copied, so no name is decoded; from any other table they are read and joined.
 */
export function pickStrings(source: Strings, ids: ArrayLike<number>): Strings {
  if (!(source instanceof ByteStringList)) {
    // An array's at(-1) is its last item.
    return StringList.of({ length: ids.length, at: (k) => (ids[k] < 0 ? '' : source.at(ids[k])) });
  }
  const { bytes: from, ends: fromEnds, exceptions: fromExceptions } = source;
  const ends = new Uint32Array(ids.length);
  let total = 0;
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    if (id >= 0) total += fromEnds[id] - (id > 0 ? fromEnds[id - 1] : 0);
    ends[k] = total;
  }
  const bytes = new Uint8Array(total);
  let exceptions: Map<number, string> | null = null;
  let at = 0;
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    if (id < 0) continue;
    // Names are short: a byte loop beats a subarray and a set() per name.
    for (let b = id > 0 ? fromEnds[id - 1] : 0, end = fromEnds[id]; b < end; b++) bytes[at++] = from[b];
    if (fromExceptions !== null) {
      const s = fromExceptions.get(id);
      if (s !== undefined) (exceptions ??= new Map()).set(k, s);
    }
  }
  return new ByteStringList(bytes, ends, exceptions);
}

/** `strings` as a StringList, made only when it is not one already. */
export function asStringList(strings: Strings): StringList {
  return strings instanceof StringList ? strings : StringList.of(strings);
}
