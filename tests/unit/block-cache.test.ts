import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BLOCK_BYTES, BlockCache } from '../../src/decode/io/block-cache.ts';
import { BlobSource } from '../../src/decode/io/byte-source.ts';
import { HEAD_BYTES } from '../../src/decode/io/url-source.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import { summarize } from '../../src/graph/summary.ts';
import { realModel } from '../helpers/real-models.ts';

describe('BlockCache', () => {
  const size = 5 * BLOCK_BYTES + 123;
  const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 31 + (i >> 8)) & 0xff);

  function cached() {
    const fetched: [number, number][] = [];
    const cache = new BlockCache(size, async (start, end) => {
      fetched.push([start, end]);
      return bytes.slice(start, end);
    });
    return { cache, fetched };
  }

  it('serves any range as the file holds it: inside a block, across two, longer than a block, at the end', async () => {
    const { cache } = cached();
    for (const [start, end] of [
      [0, 10],
      [BLOCK_BYTES - 3, BLOCK_BYTES + 5],
      [100, 100 + 3 * BLOCK_BYTES],
      [size - 50, size],
      [7, 7],
      [2 * BLOCK_BYTES, 3 * BLOCK_BYTES],
    ]) {
      expect([...(await cache.read(start, end))]).toEqual([...bytes.subarray(start, end)]);
    }
  });

  it('fetches each block once however many small reads fall in it; long reads go straight through', async () => {
    const { cache, fetched } = cached();
    await Promise.all(Array.from({ length: 200 }, (_, i) => cache.read(i * 16, i * 16 + 16)));
    await cache.read(4 * BLOCK_BYTES + 10, 4 * BLOCK_BYTES + 20);
    expect(fetched).toEqual([
      [0, BLOCK_BYTES],
      [4 * BLOCK_BYTES, 5 * BLOCK_BYTES],
    ]);
    await cache.read(0, 2 * BLOCK_BYTES);
    expect(fetched.at(-1)).toEqual([0, 2 * BLOCK_BYTES]);
    await cache.read(size - 10, size);
    expect(fetched.at(-1)).toEqual([5 * BLOCK_BYTES, size]);
  });

  it('a failed block is fetched again by the next read', async () => {
    let fail = true;
    const cache = new BlockCache(size, async (start, end) => {
      if (fail) throw new Error('unreadable');
      return bytes.slice(start, end);
    });
    await expect(cache.read(0, 4)).rejects.toThrow('unreadable');
    fail = false;
    expect([...(await cache.read(0, 4))]).toEqual([...bytes.subarray(0, 4)]);
  });
});

describe('BlobSource (a dropped file)', () => {
  it('decodes a Keras .h5 as the file does, in a few slices instead of one per read', async () => {
    const path = realModel('invesalius');
    const blob = new Blob([readFileSync(path)]);
    let slices = 0;
    const slice = blob.slice.bind(blob);
    blob.slice = (...args) => {
      slices++;
      return slice(...args);
    };
    const fromBlob = (await openModelFile(new BlobSource(blob, 'model.h5'))).model.ir;
    const file = await NodeFileSource.open(path);
    try {
      expect(summarize(fromBlob)).toEqual(summarize((await openModelFile(file)).model.ir));
    } finally {
      await file.close();
    }
    expect(slices).toBeLessThan(30);
  });

  it('a dropped model file is read once, whole, from the moment the source exists', async () => {
    const path = realModel('invesalius');
    const blob = new Blob([readFileSync(path)]);
    let reads = 0;
    const arrayBuffer = blob.arrayBuffer.bind(blob);
    blob.arrayBuffer = () => {
      reads++;
      return arrayBuffer();
    };
    blob.slice = () => {
      throw new Error('sliced');
    };
    const source = new BlobSource(blob, 'model.h5', new Map(), HEAD_BYTES);
    expect(reads).toBe(1);
    const ir = (await openModelFile(source)).model.ir;
    expect(ir.nodeCount).toBe(26);
    // The decode is over; the details read from the same bytes.
    source.releaseDecodeBuffers();
    expect((await source.read(0, 8)).length).toBe(8);
    expect(reads).toBe(1);
  });

  it('a large dropped file streams its front and reads the rest by slices; companions are never read ahead', async () => {
    const bytes = new Uint8Array(40 << 20).map((_, i) => i & 255);
    const blob = new Blob([bytes]);
    const companion = new Blob([bytes.subarray(0, 1000)]);
    let streams = 0;
    const stream = blob.stream.bind(blob);
    const slice = blob.slice.bind(blob);
    blob.slice = (...args) => {
      const part = slice(...args);
      part.stream = () => {
        streams++;
        return stream.call(part);
      };
      return part;
    };
    const source = new BlobSource(blob, 'big.onnx', new Map([['w.bin', companion]]), 32 << 20);
    expect(streams).toBe(1);
    expect([...(await source.read(100, 4))]).toEqual([100, 101, 102, 103]);
    // Past the streamed front: a slice of its own, same bytes.
    expect([...(await source.read((36 << 20) + 7, 3))]).toEqual([7, 8, 9]);
    source.releaseDecodeBuffers();
    expect([...(await source.read(100, 4))]).toEqual([100, 101, 102, 103]);
    const w = await source.sibling('w.bin');
    expect([...(await w!.read(998, 10))]).toEqual([230, 231]);
  });
});
