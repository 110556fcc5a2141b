import { ByteStringList, StringList, type Strings } from './string-list.ts';

/** How a name holds a search query, ignoring case; higher is better. */
export const enum NameMatch {
  None = 0,
  Inside = 1,
  Prefix = 2,
  Equal = 3,
}

/** Code units of `s` when it is ASCII, else null. */
function asciiCodes(s: string): Uint8Array | null {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return null;
    out[i] = c;
  }
  return out;
}

function matchOf(name: string, q: string): NameMatch {
  if (name === q) return NameMatch.Equal;
  if (name.startsWith(q)) return NameMatch.Prefix;
  return name.includes(q) ? NameMatch.Inside : NameMatch.None;
}

/** Lower-cased texts of StringLists already searched: one per table, made by its first search. */
const lowerTexts = new WeakMap<StringList, string>();

/**
 * How every string of a table holds `q` (already lower-cased), by string id: one pass over the table for a whole
 * search, so a million-node model's names are never made into strings to be searched (a 1M-node chain: 2.6M names,
 * 83 MB). A table of bytes is scanned as bytes (ASCII letters compared without case); a text is lower-cased once and
 * scanned with indexOf; a plain array (small models) name by name.
 */
export function matchNames(strings: Strings, q: string): Uint8Array {
  const match = new Uint8Array(strings.length);
  if (q.length === 0) return match;
  const codes = asciiCodes(q);
  if (strings instanceof ByteStringList && codes) scanBytes(strings, codes, match);
  else if (strings instanceof StringList) {
    let lower = lowerTexts.get(strings);
    if (lower === undefined) {
      lower = strings.text.toLowerCase();
      // Lower-casing keeps a one-byte-per-character text's offsets unless some character grows; then name by name.
      if (lower.length !== strings.text.length) lower = '';
      lowerTexts.set(strings, lower);
    }
    if (lower) scanText(lower, strings.ends, q, match);
    else for (let i = 0; i < strings.length; i++) match[i] = matchOf((strings.at(i) ?? '').toLowerCase(), q);
  } else {
    for (let i = 0; i < strings.length; i++) match[i] = matchOf((strings.at(i) ?? '').toLowerCase(), q);
  }
  // Names held apart from the bytes or text (not ASCII, made from JS strings) are matched as strings.
  const exceptions = strings instanceof ByteStringList || strings instanceof StringList ? strings.exceptions : null;
  if (exceptions) for (const [id, s] of exceptions) match[id] = matchOf(s.toLowerCase(), q);
  return match;
}

/** Marks the string holding an occurrence of the query at [at, at + length) of the table's bytes or text. */
function record(ends: Uint32Array, at: number, length: number, match: Uint8Array): void {
  // The first id ending after `at` holds it (empty strings end where their predecessor does, never after it).
  let lo = 0;
  let hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ends[mid] > at) hi = mid;
    else lo = mid + 1;
  }
  if (lo >= ends.length || at + length > ends[lo]) return;
  const start = lo > 0 ? ends[lo - 1] : 0;
  const m = at !== start ? NameMatch.Inside : at + length === ends[lo] ? NameMatch.Equal : NameMatch.Prefix;
  if (m > match[lo]) match[lo] = m;
}

function scanBytes(table: ByteStringList, q: Uint8Array, match: Uint8Array): void {
  const { bytes, ends } = table;
  const m = q.length;
  const first = q[0];
  const firstUpper = first >= 97 && first <= 122 ? first - 32 : first;
  const last = bytes.length - m;
  for (let i = 0; i <= last; i++) {
    const b = bytes[i];
    if (b !== first && b !== firstUpper) continue;
    let k = 1;
    while (k < m) {
      const c = bytes[i + k];
      if ((c >= 65 && c <= 90 ? c + 32 : c) !== q[k]) break;
      k++;
    }
    if (k === m) record(ends, i, m, match);
  }
}

function scanText(lower: string, ends: Uint32Array, q: string, match: Uint8Array): void {
  for (let at = lower.indexOf(q); at >= 0; at = lower.indexOf(q, at + 1)) record(ends, at, q.length, match);
}
