import { describe, expect, it } from 'vitest';
import { NameMatch, matchNames } from '../../src/graph/name-search.ts';
import { ByteStringList, StringList, type Strings } from '../../src/graph/string-list.ts';

const NAMES = [
  '',
  '/Layers.0/Attn/MatMul',
  'MatMul',
  'matmul_output_0',
  'x/matmul',
  'ab',
  'cMatMul',
  'Ünïcode MatMul',
  'attn',
];

/** The three forms a table takes: a plain array, one text (StringList), bytes (ByteStringList, shared or not). */
function tables(): [string, Strings][] {
  const text = StringList.of(NAMES);
  // As a StringTable would hold it: the non-ASCII name apart, its range empty.
  const ascii = NAMES.map((s) => ([...s].every((c) => c.charCodeAt(0) < 0x80) ? s : ''));
  const list = StringList.of(ascii);
  const exceptions = new Map([[7, NAMES[7]]]);
  const bytes = Uint8Array.from(list.text, (c) => c.charCodeAt(0));
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
  shared.set(bytes);
  return [
    ['array', NAMES],
    ['text', text],
    ['text with exceptions', new StringList(list.text, list.ends, exceptions)],
    ['bytes', new ByteStringList(bytes, list.ends, exceptions)],
    ['shared bytes', new ByteStringList(shared, list.ends, exceptions)],
  ];
}

describe('matchNames', () => {
  it.each(tables())('ranks every name of a table (%s) without regard to case', (_, strings) => {
    expect(Array.from(matchNames(strings, 'matmul'))).toEqual([
      NameMatch.None,
      NameMatch.Inside,
      NameMatch.Equal,
      NameMatch.Prefix,
      NameMatch.Inside,
      NameMatch.None,
      NameMatch.Inside,
      NameMatch.Inside,
      NameMatch.None,
    ]);
    // An occurrence across two names ('ab' + 'cMatMul' holds 'bcm') matches neither.
    expect(Array.from(matchNames(strings, 'bcm')).every((m) => m === NameMatch.None)).toBe(true);
    expect(matchNames(strings, 'ünïcode matmul')[7]).toBe(NameMatch.Equal);
    expect(matchNames(strings, '/layers.0/attn/matmul')[1]).toBe(NameMatch.Equal);
    expect(matchNames(strings, 'attn')[8]).toBe(NameMatch.Equal);
  });
});
