import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { locateWeights, type NcnnWeightSpec } from '../../src/decode/ncnn/weights.ts';

/** A counting view of a .bin: how many tag reads the walk made. */
function binOf(bytes: Uint8Array): { source: BufferSource; reads: () => number } {
  const source = new BufferSource(bytes, 'model.bin');
  let reads = 0;
  const read = source.read.bind(source);
  source.read = (offset, length) => {
    reads++;
    return read(offset, length);
  };
  return { source, reads: () => reads };
}

const conv = (count: number): NcnnWeightSpec[] => [
  { name: 'weight', count, tagged: true, shape: [count] },
  { name: 'bias', count: 2, tagged: false, shape: [2] },
];

/** Blobs laid out as ncnn writes them: [tag, elements (4-aligned)] for weights, fp32 biases of 2. */
function binBytes(blobs: { tag: number; bytes: number }[]): Uint8Array {
  const parts: number[] = [];
  for (const b of blobs) {
    parts.push(b.tag & 0xff, (b.tag >>> 8) & 0xff, (b.tag >>> 16) & 0xff, b.tag >>> 24);
    parts.push(...new Array((b.bytes + 3) & ~3).fill(0), ...new Array(8).fill(0));
  }
  return new Uint8Array(parts);
}

const FP16 = 0x01306b47;

describe('ncnn .bin walk', () => {
  it('a .bin stored one way is located from its first tag alone', async () => {
    const layers = [conv(6), conv(10), conv(3)];
    const { source, reads } = binOf(binBytes([6, 10, 3].map((n) => ({ tag: FP16, bytes: 2 * n }))));
    const located = await locateWeights(source, layers);
    expect(reads()).toBe(1);
    expect(located?.map((l) => l.map((w) => [w.offset, w.length, w.dtype]))).toEqual([
      [
        [4, 12, 10],
        [16, 8, 1],
      ],
      [
        [28, 20, 10],
        [48, 8, 1],
      ],
      [
        [60, 6, 10],
        [68, 8, 1],
      ],
    ]);
  });

  it('mixed storage (fp16, then fp32) misses the end of the file on the guess and is walked tag by tag', async () => {
    const layers = [conv(6), conv(10), conv(3)];
    const bytes = binBytes([
      { tag: FP16, bytes: 12 },
      { tag: 0, bytes: 40 },
      { tag: FP16, bytes: 6 },
    ]);
    const { source, reads } = binOf(bytes);
    const located = await locateWeights(source, layers);
    expect(reads()).toBe(1 + 3);
    expect(located?.map((l) => l[0].dtype)).toEqual([10, 1, 10]);
    expect(located?.[1][0]).toEqual({ offset: 28, length: 40, dtype: 1 });
    expect(located?.[2][0].offset).toBe(80);
  });

  it('a .bin that matches neither walk locates nothing', async () => {
    const bytes = binBytes([6, 10, 3].map((n) => ({ tag: FP16, bytes: 2 * n })));
    expect(await locateWeights(binOf(bytes.subarray(0, bytes.length - 4)).source, [conv(6), conv(10), conv(3)])).toBe(
      null,
    );
  });
});
