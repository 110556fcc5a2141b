// Browser decode against Node decode, per format: `npm run build && node --import tsx bench/decode-browser.ts`.
// The page opens each model by ?url= (cold: worker start, first request, decode and the IR's trip to the page are all
// in timings.decodeMs), then opens it again in the same page (warm: the worker and its decoder chunk are loaded).
// Node's time is openModelFile over a NodeFileSource, first call (cold) and the best of three after it (warm).
// Env: BENCH_DECODE_ONLY=<substring> to measure only matching models.
import { loadavg } from 'node:os';
import { basename, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../src/cli/server.ts';
import { NodeFileSource } from '../src/decode/io/node-file-source.ts';
import { openModelFile } from '../src/decode/registry.ts';
import { repoRoot, sharedModels } from '../tests/helpers/models.ts';
import { realModel } from '../tests/helpers/real-models.ts';
import { DEFAULT_FLAGS } from './first-frame.ts';
import { printTable, writeResults } from './lib.ts';
import { waitForModel } from './page.ts';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const UPSCAYL = 'package/dist/upscaler/sub-classes/model-manager/models/';

function models(): string[] {
  return [
    resolve(repoRoot, 'samples/gpt-tiny.onnx'),
    resolve(sharedModels, 'onnx/ch_PP-OCRv4_det_infer.onnx'),
    resolve(sharedModels, 'tflite/pose_landmark_full.tflite'),
    realModel('invesalius'),
    realModel('upscayl', `${UPSCAYL}realesrgan-x4plus.param`),
    realModel('human', 'package/models/blazeface.json'),
    resolve(sharedModels, 'openvino/face-detection-retail-0005.xml'),
  ];
}

async function nodeDecodeMs(file: string): Promise<{ cold: number; warm: number }> {
  const once = async () => {
    const source = await NodeFileSource.open(file);
    const t0 = performance.now();
    try {
      await openModelFile(source);
      return performance.now() - t0;
    } finally {
      await source.close();
    }
  };
  const cold = await once();
  const warm = Math.min(await once(), await once(), await once());
  return { cold, warm };
}

async function main(): Promise<void> {
  const only = process.env.BENCH_DECODE_ONLY;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: DEFAULT_FLAGS });
  const rows: Record<string, string | number>[] = [];
  try {
    for (const file of models()) {
      if (only && !file.includes(only)) continue;
      const node = await nodeDecodeMs(file);
      const server = await startServer({ root: resolve(repoRoot, 'dist'), modelPath: file });
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      try {
        await page.goto(`${server.url}?url=${encodeURIComponent(server.modelUrl ?? '')}`);
        const cold = await waitForModel(page, 300_000, 20);
        if (cold.status !== 'ready') throw new Error(`${basename(file)}: ${cold.error}`);
        await page.evaluate(
          (u) => (window as unknown as { strata: { open(u: string): Promise<void> } }).strata.open(u),
          server.modelUrl ?? '',
        );
        const warm = await waitForModel(page, 300_000, 20);
        rows.push({
          model: basename(file),
          nodes: cold.nodes,
          'node cold ms': Math.round(node.cold),
          'node warm ms': Math.round(node.warm),
          'browser cold decodeMs': Math.round(cold.timings.decodeMs),
          'browser warm decodeMs': Math.round(warm.timings.decodeMs),
          'warm ratio': Math.round((warm.timings.decodeMs / Math.max(1, node.warm)) * 10) / 10,
        });
        process.stdout.write(`${JSON.stringify(rows.at(-1))}\n`);
      } finally {
        await page.close();
        await server.close();
      }
    }
  } finally {
    await browser.close();
  }
  printTable(`browser decode vs Node (load ${loadavg()[0].toFixed(1)})`, rows);
  writeResults('decode-browser', rows, { loadAverage: loadavg().map((x) => Math.round(x * 10) / 10) });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
