import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile } from '../../src/decode/decode-file.ts';
import { allocateColumnsShared, columnOf } from '../../src/graph/column-memory.ts';
import { Column } from '../../src/graph/columns.ts';
import { StringTable } from '../../src/graph/string-table.ts';
import type { GraphIR } from '../../src/graph/ir.ts';
import type { ByteStringList } from '../../src/graph/string-list.ts';
import { sharedModels } from '../helpers/models.ts';
import { columnBuffers, copyColumns, isShared, shareColumns, sharedCopy } from '../../src/graph/column-buffers.ts';

describe('column buffers', () => {
  it('lists each transferable buffer once, skipping plain fields and shared memory', () => {
    const shared = new Float64Array(8);
    const columns = {
      count: 3,
      name: 'x',
      a: new Uint32Array(4),
      // Two views of one buffer: one transfer entry.
      b: shared.subarray(0, 4),
      c: shared.subarray(4),
      d: new Int32Array(new SharedArrayBuffer(16)),
    };
    const buffers = columnBuffers(columns);
    expect(buffers).toEqual([columns.a.buffer, shared.buffer]);
  });

  it('copies every typed array into its own exactly sized buffer and keeps the rest', () => {
    const big = new Uint32Array([1, 2, 3, 4, 5, 6]);
    const columns = { count: 2, labels: ['p', 'q'], ids: big.subarray(2, 4), flags: new Uint8Array([7, 8]) };
    const copy = copyColumns(columns);
    expect(copy.count).toBe(2);
    expect(copy.labels).toBe(columns.labels);
    expect(Array.from(copy.ids)).toEqual([3, 4]);
    expect(copy.ids.buffer.byteLength).toBe(8);
    expect(copy.ids.buffer).not.toBe(big.buffer);
    expect(copy.flags).not.toBe(columns.flags);
    // Transferring the copy's buffers leaves the original readable.
    structuredClone(copy, { transfer: columnBuffers(copy) });
    expect(copy.ids.length).toBe(0);
    expect(Array.from(columns.ids)).toEqual([3, 4]);
    expect(Array.from(columns.flags)).toEqual([7, 8]);
  });
});

describe('shared columns', () => {
  it('moves every typed array into shared memory in place, and copies then share rather than copy them', () => {
    const columns = { count: 2, ids: new Uint32Array([3, 4]), dims: new Float64Array([1.5, -1]), label: 'x' };
    const same = shareColumns(columns);
    expect(same).toBe(columns);
    expect(columns.ids.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(columns.dims).toBeInstanceOf(Float64Array);
    expect(Array.from(columns.ids)).toEqual([3, 4]);
    expect(Array.from(columns.dims)).toEqual([1.5, -1]);
    expect(isShared(columns.ids)).toBe(true);
    // Nothing to transfer: a send shares the bytes, so the sender's columns stay readable.
    expect(columnBuffers(columns)).toEqual([]);
    const copy = copyColumns(columns);
    expect(copy.ids).toBe(columns.ids);
    const received = structuredClone(copy);
    received.ids[0] = 9;
    expect(columns.ids[0]).toBe(9);
  });

  it('makes a private, unshared copy of one column on request', () => {
    const shared = sharedCopy(new Int32Array([1, -2, 3]));
    expect(isShared(shared)).toBe(true);
    expect(isShared(shared.slice())).toBe(false);
    expect(Array.from(shared)).toEqual([1, -2, 3]);
  });
});

describe('shared column memory', () => {
  it('makes a decoder write its finished columns and names straight into shared memory while turned on', async () => {
    const file = resolve(sharedModels, 'onnx/silero_vad_v5.onnx');
    const plain = await decodeFile(file);
    allocateColumnsShared(true);
    let ir: GraphIR;
    try {
      ir = await decodeFile(file);
    } finally {
      allocateColumnsShared(false);
    }
    for (const column of [ir.nodeName, ir.nodeInputs, ir.valueProducer, ir.valueShapeDims, ir.valueConsumers]) {
      expect(isShared(column)).toBe(true);
    }
    const names = ir.strings as ByteStringList;
    expect(isShared(names.bytes) && isShared(names.ends)).toBe(true);
    expect(Array.from(ir.valueConsumers)).toEqual(Array.from(plain.valueConsumers));
    expect(Array.from(ir.nodeOp, (id) => ir.strings.at(id))).toEqual(
      Array.from(plain.nodeOp, (id) => plain.strings.at(id)),
    );
    expect(isShared((await decodeFile(file)).nodeName)).toBe(false);
  });

  it('hands over a column that grew in shared memory as a view of that memory, not a copy', () => {
    allocateColumnsShared(true);
    try {
      const column = new Column(Uint32Array, 4);
      for (let i = 0; i < 1000; i++) column.push(i * 3);
      expect(isShared(column.data)).toBe(true);
      const finished = columnOf(column.data, column.length);
      expect(finished.buffer).toBe(column.data.buffer);
      expect(finished.length).toBe(1000);
      expect(finished[999]).toBe(2997);
    } finally {
      allocateColumnsShared(false);
    }
  });

  it('reads non-ASCII names back from a name pool that grew in shared memory', () => {
    const utf8 = new TextEncoder();
    allocateColumnsShared(true);
    let names: ByteStringList;
    const ids: number[] = [];
    try {
      const table = new StringTable();
      // Enough names to outgrow the presized pool, so it moves into shared memory.
      for (let i = 0; i < 5000; i++) {
        const bytes = utf8.encode(i % 7 === 0 ? `/couche.${i}/entrée_é` : `/layers.${i}/attn/MatMul_output_0`);
        ids.push(table.internBytes(bytes, 0, bytes.length));
      }
      names = table.finish();
    } finally {
      allocateColumnsShared(false);
    }
    expect(isShared(names.bytes)).toBe(true);
    expect(names.at(ids[0])).toBe('/couche.0/entrée_é');
    expect(names.at(ids[4998])).toBe('/couche.4998/entrée_é');
    expect(names.at(ids[4999])).toBe('/layers.4999/attn/MatMul_output_0');
  });
});
