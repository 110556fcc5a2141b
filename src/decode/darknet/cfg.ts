import { DecodeError } from '../errors.ts';

/** One `[section]` of a Darknet .cfg with its `key=value` options, where it sits in the file, and its line. */
export interface CfgSection {
  type: string;
  options: Map<string, string>;
  line: number;
  /** Byte range of the section (header through its last option line). */
  start: number;
  end: number;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Splits a .cfg into sections the way darknet reads it: whitespace inside a line is dropped, lines starting
 * with '#' or ';' are comments, and an option line without '=' is ignored (darknet only warns).
 */
export function parseCfg(bytes: Uint8Array, file: string): CfgSection[] {
  const sections: CfgSection[] = [];
  let cur: CfgSection | null = null;
  let line = 0;
  for (let pos = 0; pos < bytes.length; ) {
    let eol = bytes.indexOf(0x0a, pos);
    if (eol < 0) eol = bytes.length;
    line++;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL padding in cfg files is whitespace to darknet's parser
    const text = utf8.decode(bytes.subarray(pos, eol)).replace(/[\s\u0000]+/g, '');
    const start = pos;
    pos = eol + 1;
    if (!text || text[0] === '#' || text[0] === ';') continue;
    if (text[0] === '[') {
      const close = text.indexOf(']');
      if (close < 2)
        throw new DecodeError(`line ${line}: malformed section header "${text.slice(0, 40)}"`, file, `line ${line}`);
      cur = { type: text.slice(1, close).toLowerCase(), options: new Map(), line, start, end: eol };
      sections.push(cur);
      continue;
    }
    if (!cur) {
      throw new DecodeError(
        `not a Darknet .cfg: line ${line} ("${text.slice(0, 40)}") comes before any [section]`,
        file,
        `line ${line}`,
      );
    }
    const eq = text.indexOf('=');
    if (eq <= 0) continue;
    cur.options.set(text.slice(0, eq), text.slice(eq + 1));
    cur.end = eol;
  }
  return sections;
}

/** True when the text starts (after comments and blank lines) with a [net] or [network] section. */
export function looksLikeCfg(head: Uint8Array): boolean {
  const n = Math.min(head.length, 4096);
  let i = 0;
  while (i < n) {
    const c = head[i];
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) {
      i++;
      continue;
    }
    if (c === 0x23 || c === 0x3b) {
      const eol = head.indexOf(0x0a, i);
      if (eol < 0 || eol >= n) return false;
      i = eol + 1;
      continue;
    }
    break;
  }
  const rest = utf8.decode(head.subarray(i, Math.min(n, i + 12))).toLowerCase();
  return /^\[(net|network)\]/.test(rest);
}
