import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile } from '../../src/decode/decode-file.ts';
import type { Strings } from '../../src/graph/string-list.ts';
import { handOver, packIR, unpackIR } from '../../src/workers/ir-transfer.ts';
import { sharedModels } from '../helpers/models.ts';

describe('GraphIR thread transfer', () => {
  it('round-trips every column and string, including non-ASCII and empty names', async () => {
    const decoded = await decodeFile(resolve(sharedModels, 'onnx/silero_vad_v5.onnx'));
    const all = (s: Strings) => Array.from({ length: s.length }, (_, i) => s.at(i));
    const ir = { ...decoded, strings: [...all(decoded.strings), 'ünïcödé ✓', '', 'tail'] };
    const [packed, transfers] = packIR(ir);
    expect(transfers).toHaveLength(1); // only the offsets: this IR was not handed over
    const back = unpackIR(structuredClone(packed));
    expect(all(back.strings)).toEqual(ir.strings);
    // A decoder's table crosses as it is: text, offsets and the names that are not their range of the text.
    const again = unpackIR(structuredClone(packIR(decoded)[0]));
    expect(all(again.strings)).toEqual(all(decoded.strings));
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
