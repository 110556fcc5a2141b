import { describe, expect, it } from 'vitest';
import { decoders } from '../../src/decode/registry.ts';
import { MODEL_EXTENSIONS } from '../../src/decode/file-kinds.ts';
import { inputFromFiles } from '../../src/ui/files.ts';

const file = (name: string, size: number) => new File([new Uint8Array(size)], name);
const pick = (...files: File[]) => {
  const input = inputFromFiles(files);
  return input && input.kind === 'blob'
    ? { main: input.name, siblings: (input.siblings ?? []).map((f) => (f as File).name) }
    : null;
};

describe('choosing the model among picked or dropped files', () => {
  it('knows every extension a decoder claims', () => {
    for (const d of decoders) for (const ext of d.extensions) expect(MODEL_EXTENSIONS, `${d.id} ${ext}`).toContain(ext);
  });

  it('opens the definition file and passes the weights files along, even when they are larger', () => {
    expect(pick(file('net.param', 5_000), file('net.bin', 2_000_000))).toEqual({
      main: 'net.param',
      siblings: ['net.bin'],
    });
    expect(pick(file('model.bin', 9_000_000), file('model.xml', 40_000))).toEqual({
      main: 'model.xml',
      siblings: ['model.bin'],
    });
    expect(pick(file('deploy.prototxt', 3_000), file('net.caffemodel', 5_000_000))).toEqual({
      main: 'deploy.prototxt',
      siblings: ['net.caffemodel'],
    });
    expect(pick(file('yolo.weights', 30_000_000), file('yolo.cfg', 8_000))).toEqual({
      main: 'yolo.cfg',
      siblings: ['yolo.weights'],
    });
    expect(pick(file('model.mlmodel', 20_000), file('weight.bin', 50_000_000))).toEqual({
      main: 'model.mlmodel',
      siblings: ['weight.bin'],
    });
    expect(pick(file('model.onnx', 1_000), file('model.onnx.data', 80_000_000))).toEqual({
      main: 'model.onnx',
      siblings: ['model.onnx.data'],
    });
  });

  it('opens a lone weights-bearing model, and an unknown file as the largest', () => {
    expect(pick(file('net.caffemodel', 5_000_000))?.main).toBe('net.caffemodel');
    expect(pick(file('a.xyz', 10), file('b.xyz', 20))?.main).toBe('b.xyz');
  });
});
