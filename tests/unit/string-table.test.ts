import { describe, expect, it, vi } from 'vitest';
import { StringTable } from '../../src/graph/string-table.ts';

const enc = new TextEncoder();
const internText = (t: StringTable, s: string, eager = false) => {
  // Embedded in other bytes, as names sit inside a file window.
  const b = enc.encode(`##${s}##`);
  return t.internBytes(b, 2, b.length - 2, eager);
};

describe('StringTable', () => {
  it('slices ASCII names after a non-ASCII one at their byte offsets without Node Buffer (the browser path)', async () => {
    // Browsers have no Buffer: a multi-byte name inside the pooled bytes must not shift the names after it (the
    // hostile-names model once showed `d="window…` for `scope/<svg onload=…`).
    vi.stubGlobal('Buffer', undefined);
    vi.resetModules();
    try {
      const { StringTable: BrowserTable } = await import('../../src/graph/string-table.ts');
      const t = new BrowserTable(16);
      const names = ['a/relu', 'javascript:alert(1)/\u202eevil\u202c\u200b/add', 'scope/<svg onload="x">/mul', 'tail'];
      const ids = names.map((n) => internText(t as StringTable, n));
      const strings = t.finish();
      expect(ids.map((id) => strings.at(id))).toEqual(names);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });

  it('gives one id per distinct byte string, across rehashes, and reads them all back after finish', () => {
    const t = new StringTable();
    const names = Array.from({ length: 20_000 }, (_, i) => `/layers.${i % 7000}/attn/MatMul_output_${i % 3}`);
    const ids = names.map((n) => internText(t, n));
    const again = names.map((n) => internText(t, n));
    expect(again).toEqual(ids);
    const strings = t.finish();
    names.forEach((n, i) => expect(strings.at(ids[i])).toBe(n));
    expect(new Set(ids).size).toBe(new Set(names).size);
  });

  it('keeps non-ASCII names, eager decodes, unique appends and string interning side by side', () => {
    const t = new StringTable(10);
    const op = internText(t, 'MatMul', true);
    expect(t.strings.at(op)).toBe('MatMul');
    const jp = internText(t, 'ノード/重み');
    const ascii = internText(t, 'plain');
    const b = enc.encode('node_ü');
    const unique = t.appendBytes(b, 0, b.length);
    const viaString = t.intern('from a string');
    expect(internText(t, '')).toBe(0);
    expect(internText(t, 'ノード/重み')).toBe(jp);
    expect(internText(t, 'MatMul', true)).toBe(op);
    const strings = t.finish();
    expect([strings.at(jp), strings.at(ascii), strings.at(unique), strings.at(viaString)]).toEqual([
      'ノード/重み',
      'plain',
      'node_ü',
      'from a string',
    ]);
    // Pooled ASCII names are ranges of the bytes; only the non-ASCII ones and the one interned from a JS string
    // are held apart.
    expect([...(strings.exceptions?.keys() ?? [])].sort()).toEqual([jp, unique, viaString].sort());
  });
});
