import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/cli/server.ts';
import { decodeFile } from '../../src/decode/decode-file.ts';
import { companionsFor, openModelFile } from '../../src/decode/registry.ts';
import { HEAD_BYTES, UrlSource } from '../../src/decode/io/url-source.ts';
import { summarize } from '../../src/graph/summary.ts';
import { CountingSource, chainModel, repoRoot, sharedModels } from '../helpers/models.ts';
import { realModel } from '../helpers/real-models.ts';

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

  it('after the decode, a partial head and the read-ahead are let go; reads then go by range, same bytes', async () => {
    const source = await UrlSource.open(server.modelUrl!, HEAD);
    const before = await source.read(100, HEAD);
    const whole = await UrlSource.open(server.modelUrl!);
    const wholeBefore = await whole.read(100, 500);
    const { requests, restore } = recordRanges();
    try {
      source.releaseDecodeBuffers();
      expect([...(await source.read(100, HEAD))]).toEqual([...before]);
      // Past the (dropped) head: a range request, then a fresh read-ahead as for any sequential read.
      expect(requests[0]).toBe(`bytes=100-${HEAD + 99}`);
      const sent = requests.length;
      // A head that is the whole file stays: later reads are still served from memory.
      whole.releaseDecodeBuffers();
      expect([...(await whole.read(100, 500))]).toEqual([...wholeBefore]);
      expect(requests.length).toBe(sent);
    } finally {
      restore();
    }
  });

  it('reads a model that fits the first request in that one request', async () => {
    const { requests, restore } = recordRanges();
    try {
      const source = await UrlSource.open(server.modelUrl!);
      const { ir } = (await openModelFile(source)).model;
      expect(ir.nodeCount).toBe(3001);
      expect(requests).toEqual([`bytes=0-${HEAD_BYTES - 1}`]);
    } finally {
      restore();
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

  /** Runs `task` with every fetch's Range header recorded. */
  async function recordingRanges<T>(task: (ranges: string[]) => Promise<T>): Promise<T> {
    const ranges: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      ranges.push(`${String(input).split('/').pop()} ${new Headers(init?.headers).get('Range')}`);
      return realFetch(input, init);
    };
    try {
      return await task(ranges);
    } finally {
      globalThis.fetch = realFetch;
    }
  }

  it('random-access formats read from the streamed head, one request per file (HDF5, ncnn .param + .bin)', async () => {
    const upscayl = 'package/dist/upscaler/sub-classes/model-manager/models/';
    for (const [path, nodes, files] of [
      [realModel('invesalius'), 26, 1],
      [realModel('upscayl', `${upscayl}realesrgan-x4plus.param`), 999, 2],
    ] as const) {
      const srv = await startServer({ root: resolve(repoRoot, 'samples'), modelPath: path });
      try {
        await recordingRanges(async (ranges) => {
          const { ir } = (await openModelFile(await UrlSource.open(srv.modelUrl!))).model;
          expect(ir.nodeCount).toBe(nodes);
          expect(ranges).toHaveLength(files);
          expect(ranges.every((r) => r.endsWith(`bytes=0-${HEAD_BYTES - 1}`))).toBe(true);
        });
      } finally {
        await srv.close();
      }
    }
  });

  it('asks for the companions the name tells with the model itself, and hands each to the decoder once', async () => {
    const upscayl = 'package/dist/upscaler/sub-classes/model-manager/models/';
    for (const [path, bin] of [
      [realModel('upscayl', `${upscayl}realesrgan-x4plus.param`), 'realesrgan-x4plus.bin'],
      [resolve(sharedModels, 'openvino/face-detection-retail-0005.xml'), 'face-detection-retail-0005.bin'],
    ] as const) {
      const srv = await startServer({ root: resolve(repoRoot, 'samples'), modelPath: path });
      try {
        await recordingRanges(async (ranges) => {
          const name = path.split('/').pop()!;
          const source = await UrlSource.open(srv.modelUrl!, HEAD_BYTES, companionsFor(name));
          // Both requests went out before the model's response was awaited.
          expect(ranges.map((r) => r.split(' ')[0]).sort()).toEqual([bin, name].sort());
          const { ir } = (await openModelFile(source)).model;
          expect(summarize(ir)).toEqual(summarize(await decodeFile(path)));
          // The decoder's own sibling() took the early request: no third one.
          expect(ranges).toHaveLength(2);
          // Once taken, a second ask is a request of its own.
          await (await source.sibling?.(bin))?.close?.();
          expect(ranges).toHaveLength(3);
        });
      } finally {
        await srv.close();
      }
    }
  });

  it('a companion guessed wrong costs one failed request and nothing else', async () => {
    await recordingRanges(async (ranges) => {
      const source = await UrlSource.open(server.modelUrl!, HEAD_BYTES, ['absent.bin']);
      const { ir } = (await openModelFile(source)).model;
      expect(ir.nodeCount).toBe(3001);
      expect(await source.sibling?.('absent.bin')).toBeNull();
      expect(ranges).toHaveLength(2);
    });
  });

  it('a read far past the streamed bytes gets its own range request; progress follows the download', async () => {
    const bin = realModel('upscayl', 'package/dist/upscaler/sub-classes/model-manager/models/realesrgan-x4plus.bin');
    const srv = await startServer({ root: resolve(repoRoot, 'samples'), modelPath: bin });
    const downloaded: number[] = [];
    try {
      await recordingRanges(async (ranges) => {
        const source = await UrlSource.open(srv.modelUrl!);
        source.onDownload((n) => downloaded.push(n));
        const tail = await source.read(source.size - 100, 100);
        expect(ranges[1]).toBe(`realesrgan-x4plus.bin bytes=${source.size - 100}-${source.size - 1}`);
        const whole = await source.read(0, source.size);
        expect([...tail]).toEqual([...whole.subarray(source.size - 100)]);
        expect(ranges).toHaveLength(2);
      });
    } finally {
      await srv.close();
    }
    expect(downloaded.length).toBeGreaterThan(1);
    expect(downloaded.at(-1)).toBe(33424520);
  });
});

/** Records the Range header of every fetch until `restore()`. */
function recordRanges(): { requests: string[]; restore: () => void } {
  const requests: string[] = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    requests.push(String(new Headers(init?.headers).get('Range')));
    return realFetch(input, init);
  };
  return { requests, restore: () => (globalThis.fetch = realFetch) };
}
