import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decoders, detectFormat, openModelFile } from '../../src/decode/registry.ts';
import { NodeFileSource } from '../../src/decode/io/node-file-source.ts';
import { repoRoot } from '../helpers/models.ts';

/** Files reachable from `entry` through static value imports (type-only imports and import() are not followed). */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^import\s+(?!type\s)[^'"]*?from\s+'(\.[^']+)'/gm)) {
      todo.push(resolve(dirname(file), m[1]));
    }
  }
  return seen;
}

describe('lazy decoders', () => {
  it('the registry reaches sniffers only: no decoder body, graph builder, shape inference or metrics', () => {
    const reached = [...staticClosure(resolve(repoRoot, 'src/decode/registry.ts'))].map((f) =>
      f.slice(repoRoot.length + 1),
    );
    const heavy = reached.filter((f) =>
      /^src\/decode\/[^/]+\/decoder\.ts$|^src\/graph\/(builder|metrics)\.ts$|^src\/graph\/shapes\//.test(f),
    );
    expect(heavy).toEqual([]);
    expect(reached.length).toBeLessThan(60);
  });

  it('a decoder opened through the registry loads its own module on demand and decodes as before', async () => {
    const source = await NodeFileSource.open(resolve(repoRoot, 'samples/gpt-tiny.onnx'));
    try {
      expect((await detectFormat(source)).id).toBe('onnx');
      const { model, decoder } = await openModelFile(source);
      expect(decoder).toBe(decoders.find((d) => d.id === 'onnx'));
      expect(model.ir.graphNodeCount[0]).toBe(537);
    } finally {
      await source.close();
    }
  });
});
