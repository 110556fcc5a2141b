import { readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decoders } from '../../src/decode/registry.ts';

const here = dirname(fileURLToPath(import.meta.url));
const shared = resolve(here, '../../../shared/models');

describe('format sniffing', () => {
  const cases: [string, string][] = [];
  for (const [dir, id] of [
    ['tflite', 'tflite'],
    ['darknet', 'darknet'],
    ['caffe', 'caffe'],
    ['onnx', 'onnx'],
  ]) {
    // `*.ref.json` beside a model holds its reference counts, not a model.
    for (const f of readdirSync(resolve(shared, dir)).sort())
      if (!f.endsWith('.json')) cases.push([resolve(shared, dir, f), id]);
  }
  // Hand-written fixtures of formats no package here ships (see each format's test for where they come from).
  const fixtures = resolve(here, '../fixtures');
  for (const [dir, id] of [
    ['openvino', 'openvino'],
    ['ncnn', 'ncnn'],
    ['mxnet', 'mxnet'],
    ['nnef', 'nnef'],
    ['paddle', 'paddle'],
    ['tnn', 'tnn'],
    ['coreml', 'coreml'],
  ]) {
    for (const f of readdirSync(resolve(fixtures, dir)).sort()) cases.push([resolve(fixtures, dir, f), id]);
  }

  it('covers every registered decoder but the generated-only ones', () => {
    const covered = new Set(cases.map((c) => c[1]));
    // These are written in their own tests, which check sniffing the same way (Barracuda's magic is a small
    // version number, so it is claimed only with its .nn extension).
    expect(
      decoders
        .map((d) => d.id)
        .filter((id) => !covered.has(id))
        .sort(),
    ).toEqual(['barracuda', 'gguf', 'huggingface', 'keras', 'pytorch', 'pytorch', 'safetensors', 'tensorflow', 'tfjs']);
  });

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
