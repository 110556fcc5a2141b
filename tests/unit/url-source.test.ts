import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/cli/server.ts';
import { decodeFile } from '../../src/decode/decode-file.ts';
import { openModelFile } from '../../src/decode/registry.ts';
import { HEAD_BYTES, UrlSource } from '../../src/decode/io/url-source.ts';
import { summarize } from '../../src/graph/summary.ts';
import { CountingSource, chainModel, repoRoot, sharedModels } from '../helpers/models.ts';

describe('UrlSource (HTTP ranges with fetch-ahead)', () => {
  const model = chainModel(3001);
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ root: resolve(repoRoot, 'samples'), modelPath: model });
  });
  afterAll(() => server.close());

  // A small head, so these files are read by ranges past it.
  const HEAD = 4096;

  it('decodes the same graph as the file, reading each byte about once', async () => {
    const source = new CountingSource(await UrlSource.open(server.modelUrl!, HEAD));
    const { ir } = (await openModelFile(source)).model;
    expect(summarize(ir)).toEqual(summarize(await decodeFile(model)));
    expect(source.bytesRead).toBeLessThan(source.size * 1.1 + 8192);
  });

  it('serves arbitrary ranges correctly after a sequential run, inside and across the head', async () => {
    const source = await UrlSource.open(server.modelUrl!, HEAD);
    const a = await source.read(0, 1000);
    const b = await source.read(1000, 2000);
    const c = await source.read(500, 10);
    expect([...c]).toEqual([...a.subarray(500, 510)]);
    const whole = await source.read(0, 3000);
    expect([...whole.subarray(1000)]).toEqual([...b]);
    const across = await source.read(HEAD - 100, 300);
    const after = await source.read(HEAD, 200);
    expect(across.length).toBe(300);
    expect([...across.subarray(100)]).toEqual([...after]);
  });

  it('reads a model that fits the first request in that one request', async () => {
    const requests: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      requests.push(String(new Headers(init?.headers).get('Range')));
      return realFetch(input, init);
    };
    try {
      const source = await UrlSource.open(server.modelUrl!);
      const { ir } = (await openModelFile(source)).model;
      expect(ir.nodeCount).toBe(3001);
      expect(requests).toEqual([`bytes=0-${HEAD_BYTES - 1}`]);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('a file read whole in the first request still finds the files beside it (config.json, an ncnn .bin)', async () => {
    const hf = await startServer({
      root: resolve(repoRoot, 'samples'),
      modelPath: resolve(sharedModels, 'hf/tiny_gpt2/model.safetensors'),
    });
    try {
      const source = await UrlSource.open(hf.modelUrl!);
      expect(source.size).toBeLessThan(HEAD_BYTES);
      const config = await source.sibling?.('config.json');
      expect(config?.size).toBeGreaterThan(0);
      const { ir } = (await openModelFile(source)).model;
      expect(ir.metadata['config.model_type']).toBe('gpt2');
    } finally {
      await hf.close();
    }
  });
});
