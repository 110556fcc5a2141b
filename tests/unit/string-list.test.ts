import { describe, expect, it } from 'vitest';
import { ByteStringList, StringList, asStringList, pickStrings } from '../../src/graph/string-list.ts';

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
});

describe('ByteStringList', () => {
  const latin = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

  it('decodes a range of bytes per read, exceptions first, nothing outside the table', () => {
    const list = new ByteStringList(latin('abcdefXY'), Uint32Array.of(0, 2, 2, 6, 8), new Map([[4, 'ünï']]));
    expect([0, 1, 2, 3, 4].map((i) => list.at(i))).toEqual(['', 'ab', '', 'cdef', 'ünï']);
    expect([list.at(-1), list.at(5), list.at(0.5)]).toEqual([undefined, undefined, undefined]);
    expect(list.length).toBe(5);
    expect(list.toText().text).toBe('abcdefXY');
    expect(Array.from({ length: 5 }, (_, i) => list.toText().at(i))).toEqual(['', 'ab', '', 'cdef', 'ünï']);
  });

  it('reads ids that share a cache slot, and names longer than one decode call, correctly', () => {
    const names = Array.from({ length: 9000 }, (_, i) => `/layers.${i}/MatMul`);
    names[4097] = 'x'.repeat(10_000) + 'y';
    const list = StringList.of(names);
    const bytes = latin(list.text);
    const table = new ByteStringList(bytes, list.ends);
    for (const i of [1, 4097, 1, 8193, 4097, 8999]) expect(table.at(i)).toBe(names[i]);
    // The same bytes shared with another thread read the same.
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    expect(new ByteStringList(shared, list.ends).toText().at(4097)).toBe(names[4097]);
  });

  it('picks a sub-table by copying bytes, keeping exceptions and making -1 the empty string', () => {
    const table = new ByteStringList(
      latin('MatMulAdd/h.0/q'),
      Uint32Array.of(0, 6, 9, 15, 15),
      new Map([[4, 'ノード']]),
    );
    const picked = pickStrings(table, Int32Array.of(3, 4, -1, 1, 3));
    expect(picked).toBeInstanceOf(ByteStringList);
    expect(Array.from({ length: picked.length }, (_, i) => picked.at(i))).toEqual([
      '/h.0/q',
      'ノード',
      '',
      'MatMul',
      '/h.0/q',
    ]);
    const fromArray = pickStrings(['', 'a', 'b'], Int32Array.of(2, -1, 1));
    expect(Array.from({ length: fromArray.length }, (_, i) => fromArray.at(i))).toEqual(['b', '', 'a']);
  });
});
