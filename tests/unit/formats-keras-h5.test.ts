import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { DecodeError } from '../../src/decode/errors.ts';
import { Hdf5File } from '../../src/decode/hdf5/hdf5.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import { tensorPreview } from '../../src/decode/tensor-preview.ts';
import {
  ValueFlag,
  graphInputIds,
  graphOutputIds,
  nodeInputIds,
  str,
  valueShape,
  type GraphIR,
} from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { realModel } from '../helpers/real-models.ts';

const fixtures = resolve(import.meta.dirname, '../fixtures/keras');

async function open(path: string) {
  const source = await NodeFileSource.open(path);
  const { model, decoder } = await openModelFile(source);
  const { ir } = model;
  return { source, ir, decoder };
}

const nodeNamed = (ir: GraphIR, name: string) => {
  for (let n = 0; n < ir.nodeCount; n++) if (str(ir, ir.nodeName[n]) === name) return n;
  throw new Error(`no node ${name}`);
};
const valueNamed = (ir: GraphIR, name: string) => {
  for (let v = 0; v < ir.valueCount; v++) if (str(ir, ir.valueName[v]) === name) return v;
  throw new Error(`no value ${name}`);
};

describe('Keras HDF5 (.h5) models', () => {
  it('decodes a real Keras 2.2.4 model (InVesalius brain MRI segmentation, Debian invesalius) to the h5py counts', async () => {
    const { source, ir, decoder } = await open(realModel('invesalius'));
    expect(decoder.id).toBe('keras');
    expect(validateIR(ir)).toEqual([]);
    const s = summarize(ir);
    // Reference: h5py reads 27 layers in model_config (one InputLayer) and 25 datasets of 793,179 elements.
    expect(s.nodes).toBe(26);
    expect(s.ops).toEqual({ Conv3D: 10, Dropout: 6, MaxPooling3D: 3, Conv3DTranspose: 3, Concatenate: 3, Dense: 1 });
    expect(s.initializers).toBe(25);
    expect(s.parameters).toBe(793_179);
    expect(ir.metadata).toMatchObject({ container: 'hdf5', keras_version: '2.2.4', backend: 'plaidml.keras.backend' });
    const input = graphInputIds(ir, 0)[0];
    expect(str(ir, ir.valueName[input])).toBe('img');
    expect(valueShape(ir, input)).toEqual([-1, 48, 48, 48, 1]);
    expect(Array.from(graphOutputIds(ir, 0), (v) => str(ir, ir.valueName[v]))).toEqual(['dense_1']);
    // U-Net skip connections: each Concatenate reads an upsampled and an encoder tensor.
    const concat = nodeNamed(ir, 'concatenate_1');
    expect(Array.from(nodeInputIds(ir, concat), (v) => str(ir, ir.valueName[v]))).toEqual([
      'conv3d_transpose_1',
      'conv3d_6',
    ]);
    // Weights are located, not read: the preview reads them by range and matches h5py.
    const kernel = valueNamed(ir, 'conv3d_1/kernel');
    expect(ir.valueFlags[kernel] & ValueFlag.Initializer).toBeTruthy();
    expect(valueShape(ir, kernel)).toEqual([5, 5, 5, 1, 8]);
    const preview = await tensorPreview(source, ir, kernel);
    expect(preview.values.slice(0, 3)).toEqual(['0.0244388', '0.0445109', '0.307839']);
    expect(preview.stats?.min).toBeCloseTo(-1.1705703735351562, 6);
    expect(preview.stats?.max).toBeCloseTo(1.4935059547424316, 6);
    await source.close?.();
  });

  it('reads the libver="latest" layout (superblock v3, OHDR headers, link and v3 attribute messages)', async () => {
    const { source, ir } = await open(resolve(fixtures, 'mlp_latest.h5'));
    const s = summarize(ir);
    expect(s.ops).toEqual({ Dense: 2, Dropout: 1 });
    expect(s.parameters).toBe(4 * 8 + 8 + 8 * 3 + 3);
    const bias = valueNamed(ir, 'dense/bias:0');
    expect((await tensorPreview(source, ir, bias)).values).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    // A gzip-chunked kernel keeps its shape but has no addressable bytes.
    const chunked = valueNamed(ir, 'logits/kernel:0');
    expect(valueShape(ir, chunked)).toEqual([8, 3]);
    expect((await tensorPreview(source, ir, chunked)).note).toMatch(/chunked or compressed/);
    await source.close?.();
  });

  it('finds the superblock after a 512-byte user block and shifts every address by it', async () => {
    const { source, ir } = await open(resolve(fixtures, 'mlp_userblock.h5'));
    expect(summarize(ir).parameters).toBe(67);
    expect((await tensorPreview(source, ir, valueNamed(ir, 'logits/bias:0'))).values).toEqual(['0', '1', '2']);
    await source.close?.();
  });

  it('gives a clear error for a weights-only file, a truncated file and hostile addresses', async () => {
    const bytes = new Uint8Array(readFileSync(resolve(fixtures, 'mlp_latest.h5')));
    const file = await Hdf5File.open(new BufferSource(bytes, 'w.h5'));
    expect((await file.root()).attributeNames()).toContain('model_config');

    for (const cut of [16, 48, 200, 1000, bytes.length >> 1]) {
      const err = await openModelFile(new BufferSource(bytes.subarray(0, cut), 'cut.h5')).catch((e: unknown) => e);
      expect(err, `cut at ${cut}`).toBeInstanceOf(DecodeError);
    }
    // Every address in the superblock pointed past the end of the file.
    const hostile = bytes.slice();
    hostile.fill(0x7f, 12, 44);
    const err = await openModelFile(new BufferSource(hostile, 'hostile.h5')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect(String((err as Error).message)).toMatch(/HDF5|outside the file|truncated/);
  });
});
