import { describe, expect, it } from 'vitest';
import { openModel, openOnDemand } from '../../src/decode/decoder.ts';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { decoders } from '../../src/decode/registry.ts';
import { GraphBuilder } from '../../src/graph/builder.ts';

describe('decoder modules loaded ahead of the open', () => {
  const source = new BufferSource(new Uint8Array(4), 'x.bin');
  const emptyModel = async () => {
    const b = new GraphBuilder('test');
    b.beginGraph('main', 0);
    return openModel(b.finish(), source);
  };

  it('preload imports the module once; the open that follows uses it', async () => {
    let loads = 0;
    const open = openOnDemand(async () => {
      loads++;
      return emptyModel;
    });
    open.preload();
    open.preload();
    await open(source, {});
    expect(loads).toBe(1);
  });

  it('a failed preload is retried by the open, which reports a second failure', async () => {
    let loads = 0;
    const open = openOnDemand(async () => {
      loads++;
      if (loads === 1) throw new Error('chunk failed');
      return emptyModel;
    });
    open.preload();
    await new Promise((r) => setTimeout(r, 0));
    await expect(open(source, {})).resolves.toBeTruthy();
    expect(loads).toBe(2);
  });

  it('every lazily loaded decoder in the registry can be preloaded', () => {
    for (const id of ['keras', 'ncnn', 'tflite', 'tfjs', 'openvino', 'onnx']) {
      expect(typeof decoders.find((d) => d.id === id)?.preload).toBe('function');
    }
  });
});
