import { DecodeError } from '../errors.ts';

/**
 * A small protobuf text-format reader (the `.prototxt` syntax): fields `name: value`, nested messages
 * `name { ... }` or `name < ... >` (the colon optional), lists `name: [a, b]`, comments `#`, adjacent string
 * literals concatenated, C escapes in strings. The result is a generic field tree with byte offsets, so a
 * schema-free caller can pick what it knows and show the rest.
 */
export interface TextField {
  name: string;
  kind: 'string' | 'number' | 'ident' | 'message';
  /** Source text of a number or identifier; the decoded value of a string. */
  text: string;
  message: TextMessage | null;
  /** Byte range of the whole field (name through value). */
  start: number;
  end: number;
}

export interface TextMessage {
  fields: TextField[];
}

export const MAX_TEXT_DEPTH = 100;

const enum T {
  End,
  Ident,
  Number,
  String,
  Punct,
}

const utf8 = new TextDecoder('utf-8');
// Every byte becomes one char, so string indices are byte offsets.
const latin1 = new TextDecoder('latin1');

const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentChar = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;

export class TextFormatParser {
  private readonly src: string;
  private pos = 0;
  private tok = T.End;
  private tokStart = 0;
  private tokEnd = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
    private readonly base = 0,
  ) {
    this.src = latin1.decode(bytes);
    this.next();
  }

  /** Parses the whole input as one message. */
  parse(): TextMessage {
    const m = this.message('', 0);
    if (this.tok !== T.End) this.fail(`unexpected "${this.text()}"`);
    return m;
  }

  private message(close: string, depth: number): TextMessage {
    if (depth > MAX_TEXT_DEPTH) this.fail(`messages nested more than ${MAX_TEXT_DEPTH} deep`);
    const fields: TextField[] = [];
    for (;;) {
      if (this.tok === T.End) {
        if (close) this.fail(`missing "${close}" (end of file inside a message)`);
        return { fields };
      }
      if (this.tok === T.Punct) {
        const p = this.text();
        if (p === close) return { fields };
        if (p === ',' || p === ';') {
          this.next();
          continue;
        }
      }
      this.field(fields, depth);
    }
  }

  private field(out: TextField[], depth: number): void {
    const start = this.tokStart;
    let name: string;
    if (this.tok === T.Ident) {
      name = this.text();
      this.next();
    } else if (this.isPunct('[')) {
      // Extension or Any type URL: [pkg.ext] or [type.googleapis.com/pkg.Msg]
      this.next();
      const from = this.tokStart;
      while (this.tok !== T.End && !this.isPunct(']')) this.next();
      name = this.src.slice(from, this.tokStart);
      this.expect(']');
    } else {
      return this.fail(`expected a field name, found "${this.text()}"`);
    }
    const colon = this.isPunct(':');
    if (colon) this.next();
    if (this.isPunct('{') || this.isPunct('<')) {
      out.push(this.sub(name, start, depth));
      return;
    }
    if (!colon) this.fail(`expected ":" or "{" after "${name}"`);
    if (this.isPunct('[')) {
      this.next();
      while (!this.isPunct(']')) {
        if (this.tok === T.End) this.fail(`missing "]" in the list of "${name}"`);
        if (this.isPunct('{') || this.isPunct('<')) out.push(this.sub(name, start, depth));
        else out.push(this.scalar(name, start));
        if (this.isPunct(',')) this.next();
        else if (!this.isPunct(']')) this.fail(`expected "," or "]" in the list of "${name}"`);
      }
      this.next();
      return;
    }
    out.push(this.scalar(name, start));
  }

  private sub(name: string, start: number, depth: number): TextField {
    const close = this.isPunct('{') ? '}' : '>';
    this.next();
    const message = this.message(close, depth + 1);
    const end = this.tokEnd;
    this.next();
    return { name, kind: 'message', text: '', message, start: this.base + start, end: this.base + end };
  }

  private scalar(name: string, start: number): TextField {
    if (this.tok === T.String) {
      let text = '';
      let end = this.tokEnd;
      while (this.tok === T.String) {
        text += this.unescape(this.tokStart + 1, this.tokEnd - 1);
        end = this.tokEnd;
        this.next();
      }
      return { name, kind: 'string', text, message: null, start: this.base + start, end: this.base + end };
    }
    let sign = '';
    if (this.isPunct('-')) {
      sign = '-';
      this.next();
    }
    if (this.tok === T.Number || this.tok === T.Ident) {
      const kind = this.tok === T.Number ? 'number' : 'ident';
      const text = sign + this.text();
      const end = this.tokEnd;
      this.next();
      return {
        name,
        kind: sign && kind === 'ident' ? 'number' : kind,
        text,
        message: null,
        start: this.base + start,
        end: this.base + end,
      };
    }
    return this.fail(`expected a value for "${name}", found "${this.text()}"`);
  }

  // Tokens -------------------------------------------------------------------------------------------------------

  private next(): void {
    const s = this.src;
    const n = s.length;
    let i = this.pos;
    for (;;) {
      while (i < n && s.charCodeAt(i) <= 32) i++;
      if (i < n && s.charCodeAt(i) === 35) {
        while (i < n && s.charCodeAt(i) !== 10) i++;
        continue;
      }
      break;
    }
    this.tokStart = i;
    if (i >= n) {
      this.tok = T.End;
      this.tokEnd = this.pos = i;
      return;
    }
    const c = s.charCodeAt(i);
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentChar(s.charCodeAt(i))) i++;
      this.tok = T.Ident;
    } else if (isDigit(c) || (c === 46 && i + 1 < n && isDigit(s.charCodeAt(i + 1)))) {
      i++;
      while (i < n) {
        const d = s.charCodeAt(i);
        const prev = s.charCodeAt(i - 1);
        if (isIdentChar(d) || d === 46 || ((d === 43 || d === 45) && (prev === 101 || prev === 69))) i++;
        else break;
      }
      this.tok = T.Number;
    } else if (c === 34 || c === 39) {
      i++;
      while (i < n && s.charCodeAt(i) !== c) {
        if (s.charCodeAt(i) === 10) break;
        i += s.charCodeAt(i) === 92 ? 2 : 1;
      }
      if (i >= n || s.charCodeAt(i) !== c) {
        this.pos = i;
        this.fail('unterminated string');
      }
      i++;
      this.tok = T.String;
    } else {
      i++;
      this.tok = T.Punct;
    }
    this.tokEnd = this.pos = i;
  }

  private text(): string {
    return this.tok === T.End
      ? 'end of file'
      : this.src.slice(this.tokStart, Math.min(this.tokEnd, this.tokStart + 60));
  }

  private isPunct(p: string): boolean {
    return this.tok === T.Punct && this.src.charCodeAt(this.tokStart) === p.charCodeAt(0);
  }

  private expect(p: string): void {
    if (!this.isPunct(p)) this.fail(`expected "${p}", found "${this.text()}"`);
    this.next();
  }

  /** Decodes C escapes in bytes [from, to) and reads the result as UTF-8. */
  private unescape(from: number, to: number): string {
    const b = this.bytes;
    let plain = true;
    for (let i = from; i < to; i++) if (b[i] === 92) plain = false;
    if (plain) return utf8.decode(b.subarray(from, to));
    const out: number[] = [];
    for (let i = from; i < to; i++) {
      const c = b[i];
      if (c !== 92 || i + 1 >= to) {
        out.push(c);
        continue;
      }
      const e = b[++i];
      const simple: Record<number, number> = { 110: 10, 116: 9, 114: 13, 97: 7, 98: 8, 102: 12, 118: 11 };
      if (simple[e] !== undefined) out.push(simple[e]);
      else if (e === 120) {
        let v = 0;
        let k = 0;
        while (k < 2 && i + 1 < to && /[0-9a-fA-F]/.test(String.fromCharCode(b[i + 1]))) {
          v = v * 16 + parseInt(String.fromCharCode(b[++i]), 16);
          k++;
        }
        out.push(v & 255);
      } else if (e >= 48 && e <= 55) {
        let v = e - 48;
        let k = 1;
        while (k < 3 && i + 1 < to && b[i + 1] >= 48 && b[i + 1] <= 55) {
          v = v * 8 + (b[++i] - 48);
          k++;
        }
        out.push(v & 255);
      } else out.push(e);
    }
    return utf8.decode(Uint8Array.from(out));
  }

  private fail(message: string): never {
    let line = 1;
    for (let i = 0; i < this.tokStart && i < this.src.length; i++) if (this.src.charCodeAt(i) === 10) line++;
    throw new DecodeError(`line ${line}: ${message}`, this.file, `line ${line}`);
  }
}

/** First field called `name`, or undefined. */
export function field(m: TextMessage, name: string): TextField | undefined {
  return m.fields.find((f) => f.name === name);
}

export function fields(m: TextMessage, name: string): TextField[] {
  return m.fields.filter((f) => f.name === name);
}

export function stringOf(m: TextMessage, name: string): string | undefined {
  const f = field(m, name);
  return f && f.kind !== 'message' ? f.text : undefined;
}

export function numbersOf(m: TextMessage, name: string): number[] {
  return fields(m, name)
    .filter((f) => f.kind === 'number')
    .map((f) => parseNumber(f.text));
}

/** A text-format number: decimal, hex, octal-looking, with an optional float suffix `f`. NaN if none. */
export function parseNumber(text: string): number {
  const t = /^-?0[xX]/.test(text) ? text : text.replace(/[fF]$/, '');
  const n = Number(t);
  if (!Number.isNaN(n)) return n;
  const lower = t.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return NaN;
}
