import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile } from '../../src/decode/decode-file.ts';
import { handOver, packIR, unpackIR } from '../../src/workers/ir-transfer.ts';
import { sharedModels } from '../helpers/models.ts';

describe('GraphIR thread transfer', () => {
  it('round-trips every column and string, including non-ASCII and empty names', async () => {
    const ir = await decodeFile(resolve(sharedModels, 'onnx/silero_vad_v5.onnx'));
    ir.strings.push('ünïcödé ✓', '', 'tail');
    const [packed, transfers] = packIR(ir);
    expect(transfers).toHaveLength(1); // only the offsets: this IR was not handed over
    const back = unpackIR(structuredClone(packed));
    expect(back.strings).toEqual(ir.strings);
    expect(back.nodeOp).toEqual(ir.nodeOp);
    expect(back.valueShapeDims).toEqual(ir.valueShapeDims);
    expect(back.nodeCount).toBe(ir.nodeCount);
  });

  it('transfers the typed arrays of an IR that was handed over', async () => {
    const ir = handOver(await decodeFile(resolve(sharedModels, 'onnx/mlsd_320x320_tiny.onnx')));
    const [, transfers] = packIR(ir);
    expect(transfers.length).toBeGreaterThan(20);
  });
});
