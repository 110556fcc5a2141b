import { open } from 'node:fs/promises';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import { summarize } from '../../src/graph/summary.ts';
import { concat, graphProto, pb, tag, varint, WIRE } from '../helpers/protobuf-writer.ts';
import { cacheDir, stringIndex } from '../helpers/models.ts';

/**
 * A 5 GB ONNX file: two 2.5 GB float initializers whose payloads are holes in a sparse file, so the test creates
 * it instantly and uses no disk. The decoder must open it reading only the structure.
 */
const GB = 1e9;
const file = resolve(cacheDir, 'sparse_5gb.onnx');

async function writeSparseModel(): Promise<{ size: number; elements: number }> {
  mkdirSync(cacheDir, { recursive: true });
  const elements = (2.5 * GB) / 4;
  const tensorHeader = (name: string) =>
    concat(pb.varint(1, elements), pb.varint(2, 1), pb.string(8, name), tag(9, WIRE.len), varint(elements * 4));
  const tensorLength = (name: string) => tensorHeader(name).length + elements * 4;
  const head = graphProto({
    name: 'huge',
    nodes: [
      { op: 'MatMul', name: '/layers.0/MatMul', inputs: ['x', 'w0'], outputs: ['h'] },
      { op: 'MatMul', name: '/layers.1/MatMul', inputs: ['h', 'w1'], outputs: ['y'] },
    ],
    inputs: [{ name: 'x', shape: ['batch', elements] }],
    outputs: [{ name: 'y', shape: ['batch', elements] }],
  });
  const init = (name: string) => concat(tag(5, WIRE.len), varint(tensorLength(name)), tensorHeader(name));
  const graphLength = head.length + init('w0').length + elements * 4 + init('w1').length + elements * 4;
  const fh = await open(file, 'w');
  let pos = 0;
  const put = async (b: Uint8Array) => {
    await fh.write(b, 0, b.length, pos);
    pos += b.length;
  };
  await put(concat(pb.varint(1, 8), tag(7, WIRE.len), varint(graphLength), head, init('w0')));
  // The payload: a hole, except one recognisable value at its start.
  await put(new Uint8Array(new Float32Array([1.5]).buffer));
  pos += elements * 4 - 4;
  await put(init('w1'));
  pos += elements * 4;
  await fh.truncate(pos);
  await fh.close();
  return { size: pos, elements };
}

describe('multi-GB files', () => {
  afterAll(() => rmSync(file, { force: true }));

  it('opens a 5 GB model reading only its structure, and reads a weight on request', async () => {
    const { size, elements } = await writeSparseModel();
    expect(size).toBeGreaterThan(5 * GB);
    const source = await NodeFileSource.open(file);
    let bytesRead = 0;
    const counting = {
      name: source.name,
      size: source.size,
      read: async (o: number, l: number) => {
        const b = await source.read(o, l);
        bytesRead += b.length;
        return b;
      },
    };
    const heapBefore = process.memoryUsage().heapUsed;
    const { ir } = (await openModelFile(counting)).model;
    const s = summarize(ir);
    expect(s.nodes).toBe(2);
    expect(s.initializers).toBe(2);
    expect(s.parameters).toBe(2 * elements);
    expect(s.inputs.map((i) => i.name)).toEqual(['x']);
    expect(bytesRead).toBeLessThan(1 << 20);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 << 20);
    const w0 = ir.valueName.indexOf(stringIndex(ir.strings, 'w0'));
    expect(ir.valueDataLength[w0]).toBe(elements * 4);
    const preview = await tensorPreview(source, ir, w0);
    expect(Number(preview.values[0])).toBe(1.5);
    expect(preview.sampled).toBeLessThan(elements);
    await source.close();
  });
});
