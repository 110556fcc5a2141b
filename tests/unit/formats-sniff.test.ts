import { readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { caffeDecoder } from '../../src/decode/caffe/index.ts';
import { darknetDecoder } from '../../src/decode/darknet/index.ts';
import { onnxDecoder } from '../../src/decode/onnx/index.ts';
import { tfliteDecoder } from '../../src/decode/tflite/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const shared = resolve(here, '../../../shared/models');
const decoders = [onnxDecoder, tfliteDecoder, darknetDecoder, caffeDecoder];

describe('format sniffing', () => {
  const cases: [string, string][] = [];
  for (const [dir, id] of [['tflite', 'tflite'], ['darknet', 'darknet'], ['caffe', 'caffe'], ['onnx', 'onnx']]) {
    for (const f of readdirSync(resolve(shared, dir)).sort()) cases.push([resolve(shared, dir, f), id]);
  }

  it('each real file is claimed by its own decoder only, by content and by name', () => {
    for (const [path, id] of cases) {
      const head = new Uint8Array(readFileSync(path).subarray(0, 4096));
      const base = path.split('/').pop()!;
      // By content alone (a neutral name), then with the real file name.
      for (const name of ['model.bin', base]) {
        const claimed = decoders.filter((d) => d.sniff(head, name)).map((d) => d.id);
        expect(claimed, `${base} as ${name}`).toEqual([id]);
      }
    }
  });
});
