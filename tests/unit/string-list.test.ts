import { describe, expect, it } from 'vitest';
import { StringList, asStringList } from '../../src/graph/string-list.ts';
import { StringTable } from '../../src/graph/string-table.ts';

const enc = new TextEncoder();

describe('StringList', () => {
  it('cuts each string out of one text, with exceptions taking precedence and nothing outside the table', () => {
    const list = new StringList('abcdef', Uint32Array.of(0, 2, 2, 6), new Map([[2, 'ünï']]));
    expect([list.at(0), list.at(1), list.at(2), list.at(3)]).toEqual(['', 'ab', 'ünï', 'cdef']);
    expect([list.at(-1), list.at(4), list.at(1.5)]).toEqual([undefined, undefined, undefined]);
    expect(list.length).toBe(4);
  });

  it('joins an array once and leaves a StringList as it is', () => {
    const strings = ['', 'MatMul', '/layers.0/attn/MatMul', 'ノード', ''];
    const list = StringList.of(strings);
    expect(Array.from({ length: list.length }, (_, i) => list.at(i))).toEqual(strings);
    expect(list.exceptions).toBeNull();
    expect(asStringList(list)).toBe(list);
    expect(asStringList(strings).text).toBe(list.text);
  });

  it('is what a StringTable hands over: pooled ASCII names as ranges, the rest as exceptions', () => {
    const t = new StringTable(8);
    const intern = (s: string) => {
      const b = enc.encode(`#${s}#`);
      return t.internBytes(b, 1, b.length - 1);
    };
    const a = intern('/h.0/attn/Add');
    const jp = intern('重み');
    const viaString = t.intern('main');
    const b = intern('/h.0/attn/Add_output_0');
    const list = t.finish();
    expect([list.at(a), list.at(jp), list.at(viaString), list.at(b)]).toEqual([
      '/h.0/attn/Add',
      '重み',
      'main',
      '/h.0/attn/Add_output_0',
    ]);
    // Only the non-ASCII name and the one interned from a JS string are held apart from the text.
    expect([...(list.exceptions?.keys() ?? [])].sort()).toEqual([jp, viaString].sort());
  });
});
