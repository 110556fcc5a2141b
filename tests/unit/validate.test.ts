import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile } from '../../src/decode/decode-file.ts';
import type { GraphIR } from '../../src/graph/ir.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { allFeaturesOnnx } from '../fuzz/seeds.ts';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import { sharedModels } from '../helpers/models.ts';

/** A deep copy, so each corruption starts from a valid IR. */
function copy(ir: GraphIR): GraphIR {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ir))
    out[k] = ArrayBuffer.isView(v) ? (v as Uint32Array).slice() : Array.isArray(v) ? [...v] : v;
  return out as unknown as GraphIR;
}

describe('validateIR', () => {
  it('passes every real model in ../shared/models', async () => {
    const reference = JSON.parse(readFileSync(resolve(sharedModels, 'onnx-reference.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    for (const p of Object.keys(reference)) {
      const ir = await decodeFile(resolve(sharedModels, p));
      expect(validateIR(ir), p).toEqual([]);
    }
  }, 120_000);

  it('catches each kind of inconsistency', async () => {
    const bytes = allFeaturesOnnx();
    const { ir } = (await openModelFile(new BufferSource(bytes, 'all.onnx'))).model;
    expect(validateIR(ir, { fileSize: bytes.length })).toEqual([]);
    expect(ir.graphCount).toBeGreaterThan(2);
    expect(ir.nodeCount).toBeGreaterThan(5);

    const corruptions: [string, (x: GraphIR) => void, RegExp][] = [
      [
        'offsets decrease',
        (x) => {
          x.nodeInputOffsets[2] = x.nodeInputOffsets[1] + 50;
        },
        /nodeInputOffsets/,
      ],
      [
        'offsets do not end at the list length',
        (x) => {
          x.nodeOutputOffsets[x.nodeCount] += 1;
        },
        /nodeOutputOffsets/,
      ],
      [
        'NaN offset',
        (x) => {
          x.valueShapeOffsets = Float64Array.from(x.valueShapeOffsets) as unknown as Uint32Array;
          x.valueShapeOffsets[1] = NaN;
        },
        /valueShapeOffsets/,
      ],
      [
        'input out of range',
        (x) => {
          x.nodeInputs[0] = x.valueCount + 3;
        },
        /not a value/,
      ],
      [
        'output out of range',
        (x) => {
          x.nodeOutputs[0] = -7;
        },
        /not a value/,
      ],
      [
        'wrong producer',
        (x) => {
          x.valueProducer[x.nodeOutputs[0]] = x.nodeCount - 1;
        },
        /producer/,
      ],
      [
        'producer out of range',
        (x) => {
          x.valueProducer[0] = x.nodeCount;
        },
        /producer/,
      ],
      [
        'missing consumer',
        (x) => {
          x.nodeInputs[x.nodeInputOffsets[1]] = x.nodeInputs[x.nodeInputOffsets[1]] === 0 ? 1 : 0;
        },
        /consumer/,
      ],
      [
        'consumer out of range',
        (x) => {
          x.valueConsumers[0] = x.nodeCount + 1;
        },
        /consumer/,
      ],
      [
        'graph ranges not contiguous',
        (x) => {
          x.graphNodeStart[1] += 1;
        },
        /contiguous|range/,
      ],
      [
        'node in the wrong graph',
        (x) => {
          x.nodeGraph[0] = 1;
        },
        /belongs to graph/,
      ],
      [
        'value range not covering all values',
        (x) => {
          x.graphValueCount[x.graphCount - 1] -= 1;
        },
        /cover/,
      ],
      [
        'string index out of range',
        (x) => {
          x.nodeName[1] = x.strings.length;
        },
        /string index/,
      ],
      [
        'graph parent cycle',
        (x) => {
          const sub = [...x.graphKind].findIndex((k, g) => g > 0 && k === 1 && x.graphNodeCount[g] > 0);
          x.graphParentNode[0] = x.graphNodeStart[sub];
        },
        /cycle/,
      ],
      [
        'graph input out of range',
        (x) => {
          x.graphInputs[0] = x.valueCount;
        },
        /graphInputs/,
      ],
      [
        'negative data length',
        (x) => {
          x.valueDataLength[0] = -1;
        },
        /data range/,
      ],
      [
        'data past the end of the file',
        (x) => {
          const v = [...x.valueDataOffset].findIndex((o, i) => o >= 0 && !(x.valueFlags[i] & 16));
          x.valueDataOffset[v] = bytes.length;
        },
        /past the end/,
      ],
      [
        'column of the wrong length',
        (x) => {
          x.valueDtype = x.valueDtype.subarray(1);
        },
        /valueDtype/,
      ],
      [
        'NaN dimension',
        (x) => {
          x.valueShapeDims[0] = NaN;
        },
        /NaN/,
      ],
    ];
    for (const [what, corrupt, expected] of corruptions) {
      const x = copy(ir);
      corrupt(x);
      const problems = validateIR(x, { fileSize: bytes.length });
      expect(problems.length, what).toBeGreaterThan(0);
      expect(problems.join('\n'), what).toMatch(expected);
    }
  });

  it('stops listing after maxProblems', async () => {
    const { ir } = (await openModelFile(new BufferSource(allFeaturesOnnx(), 'all.onnx'))).model;
    const x = copy(ir);
    x.nodeName.fill(1e6);
    const problems = validateIR(x, { maxProblems: 3 });
    expect(problems).toHaveLength(4);
    expect(problems[3]).toMatch(/more problems/);
  });
});
