/**
 * Read access to a model's string table: what `GraphIR.strings` promises. A plain `string[]` is one (tests and
 * small decoders build those); decoders that intern from file bytes hand over a `StringList`.
 */
export interface Strings {
  readonly length: number;
  /** The string at `index`, undefined outside the table. */
  at(index: number): string | undefined;
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
 * decoded one character per byte (see StringTable.finish), and names interned as JS strings rather than bytes.
 */
export class StringList implements Strings {
  constructor(
    readonly text: string,
    /** End of string i in `text`; it starts where string i - 1 ends. */
    readonly ends: Uint32Array,
    readonly exceptions: ReadonlyMap<number, string> | null = null,
  ) {}

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
    return this.text.slice(index > 0 ? ends[index - 1] : 0, ends[index]);
  }
}

/** `strings` as a StringList, made only when it is not one already. */
export function asStringList(strings: Strings): StringList {
  return strings instanceof StringList ? strings : StringList.of(strings);
}
