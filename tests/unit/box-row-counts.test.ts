import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBoxRows } from '../../src/decode/box-rows.ts';
import { opFactsFor } from '../../src/decode/input-roles.ts';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { PrefetchSource } from '../../src/decode/io/prefetch-source.ts';
import { openModelFile } from '../../src/decode/registry.ts';

const models = resolve(__dirname, '../../../shared/models');

describe('box row counts first', () => {
  it('reports every box its final row count before the rows are built (the layout starts on them)', async () => {
    const file = resolve(models, 'onnx/ch_PP-OCRv4_det_infer.onnx');
    const prefetch = new PrefetchSource(new BufferSource(new Uint8Array(readFileSync(file)), 'det.onnx'));
    const { model } = await openModelFile(prefetch);
    let counts: { folded: Uint8Array; rows: Uint16Array } | null = null;
    const rows = await buildBoxRows(model, {
      fold: true,
      facts: await opFactsFor('onnx'),
      maxAttributeNodes: 5000,
      prefetch,
      onCounts: (folded, rowCounts) => {
        counts = { folded: folded.slice(), rows: rowCounts.slice() };
      },
    });
    expect(counts).not.toBeNull();
    const got = counts as unknown as { folded: Uint8Array; rows: Uint16Array };
    expect(Array.from(got.folded)).toEqual(Array.from(rows.folded));
    const final = Array.from({ length: model.ir.nodeCount }, (_, v) => rows.rowOffsets[v + 1] - rows.rowOffsets[v]);
    expect(Array.from(got.rows)).toEqual(final);
    // Attribute and constant rows both count (a Conv lists its weight and its strides).
    expect(rows.attributes).toBe(true);
    expect(final.some((n) => n >= 2)).toBe(true);
  });
});
