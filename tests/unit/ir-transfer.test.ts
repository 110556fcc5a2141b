import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile } from '../../src/decode/decode-file.ts';
import { sharedCopy } from '../../src/graph/column-buffers.ts';
import { ByteStringList, StringList, type Strings } from '../../src/graph/string-list.ts';
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
    // A decoder's table crosses as its bytes, offsets and the names that are not their range of the bytes; the
    // receiver's private copy becomes one text.
    expect(decoded.strings).toBeInstanceOf(ByteStringList);
    const again = unpackIR(structuredClone(packIR(decoded)[0]));
    expect(again.strings).toBeInstanceOf(StringList);
    expect(all(again.strings)).toEqual(all(decoded.strings));
    expect(back.nodeOp).toEqual(ir.nodeOp);
    expect(back.valueShapeDims).toEqual(ir.valueShapeDims);
    expect(back.nodeCount).toBe(ir.nodeCount);
  });

  it('shares a table in shared memory: the receiver reads the same bytes and nothing is transferred', async () => {
    const decoded = await decodeFile(resolve(sharedModels, 'onnx/silero_vad_v5.onnx'));
    const table = decoded.strings as ByteStringList;
    const shared = new ByteStringList(sharedCopy(table.bytes), sharedCopy(table.ends), table.exceptions);
    const [packed, transfers] = packIR({ ...decoded, strings: shared });
    expect(transfers).toHaveLength(0);
    const back = unpackIR(structuredClone(packed));
    expect(back.strings).toBeInstanceOf(ByteStringList);
    // The same memory: a write on one side shows on the other.
    const backBytes = (back.strings as ByteStringList).bytes;
    backBytes[0] ^= 1;
    expect(shared.bytes[0]).toBe(backBytes[0]);
    backBytes[0] ^= 1;
    const all = (s: Strings) => Array.from({ length: s.length }, (_, i) => s.at(i));
    expect(all(back.strings)).toEqual(all(decoded.strings));
  });

  it('transfers the typed arrays of an IR that was handed over', async () => {
    const ir = handOver(await decodeFile(resolve(sharedModels, 'onnx/mlsd_320x320_tiny.onnx')));
    const [, transfers] = packIR(ir);
    expect(transfers.length).toBeGreaterThan(20);
  });
});
