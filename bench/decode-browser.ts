// Browser decode against Node decode, per format: `npm run build && node --import tsx bench/decode-browser.ts`.
// The page opens each model by ?url= (cold: worker start, first request, decode and the IR's trip to the page are all
// in timings.decodeMs), then opens it again in the same page, three times, best kept (warm: the worker and its
// decoder chunk are loaded). Each warm open waits for the page to settle first: after an open the page analyses the
// model in the decode worker and warms ELK up in the layout worker, and an open issued during that work measured the
// wait for it (up to ~0.5 s here), not decoding; a user opening a second model meets the same work only if they open
// it within a second of the first.
// Node's time is openModelFile over a NodeFileSource, first call (cold) and the best of three after it (warm).
// The same page then opens the file as a user drops it (with its companion files: the same name, other extensions),
// three times, best kept: that path reads a local File as Node does, with no HTTP request in it.
// Env: BENCH_DECODE_ONLY=<substring> to measure only matching models.
import { loadavg } from 'node:os';
import { readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startServer } from '../src/cli/server.ts';
import { NodeFileSource } from '../src/decode/io/node-file-source.ts';
import { openModelFile } from '../src/decode/registry.ts';
import { repoRoot, sharedModels } from '../tests/helpers/models.ts';
import { realModel } from '../tests/helpers/real-models.ts';
import { DEFAULT_FLAGS } from './first-frame.ts';
import { printTable, writeResults } from './lib.ts';
import { type BenchState, waitForModel } from './page.ts';

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

const WARM_RUNS = 3;
/** How long the layout worker's ELK warm-up (started after each first frame) is given to finish. */
const SETTLE_MS = 1000;

/** Waits for the open model's analysis (decode worker) and the layout worker's warm-up to finish. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const strata = (window as unknown as { strata: { colorBy(mode: string): Promise<unknown> } }).strata;
    await strata.colorBy('params'); // resolves once the analysis is done
    await strata.colorBy('category');
  });
  await page.waitForTimeout(SETTLE_MS);
}

/** Files beside `file` with its name and another extension (an ncnn .bin, a tfjs shard, an OpenVINO .bin). */
function companions(file: string): string[] {
  const stem = basename(file).replace(/\.[^.]*$/, '');
  return readdirSync(dirname(file))
    .filter((f) => f !== basename(file) && f.replace(/\.[^.]*$/, '') === stem)
    .map((f) => join(dirname(file), f));
}

/** Opens `files` through the page's file picker, as a drop does; returns the open's decodeMs. */
async function dropFiles(page: Page, files: string[]): Promise<number> {
  const before = await page.evaluate(() => (window as unknown as { strata: { state(): BenchState } }).strata.state());
  await page.setInputFiles('input[type=file]', files);
  await page.waitForFunction(
    (openAt) => {
      const s = (window as unknown as { strata: { state(): BenchState } }).strata.state();
      return (s.status === 'ready' && s.timings.openAtMs !== openAt) || s.status === 'error';
    },
    before.timings.openAtMs,
    { timeout: 300_000, polling: 20 },
  );
  const after = await page.evaluate(() => (window as unknown as { strata: { state(): BenchState } }).strata.state());
  if (after.status !== 'ready') throw new Error(`${basename(files[0])} (file): ${after.error}`);
  return after.timings.decodeMs;
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
        let warmMs = Number.POSITIVE_INFINITY;
        for (let run = 0; run < WARM_RUNS; run++) {
          await settle(page);
          await page.evaluate(
            (u) => (window as unknown as { strata: { open(u: string): Promise<void> } }).strata.open(u),
            server.modelUrl ?? '',
          );
          const warm = await waitForModel(page, 300_000, 20);
          if (warm.status !== 'ready') throw new Error(`${basename(file)}: ${warm.error}`);
          warmMs = Math.min(warmMs, warm.timings.decodeMs);
        }
        let fileMs = Number.POSITIVE_INFINITY;
        for (let run = 0; run < WARM_RUNS; run++) {
          await settle(page);
          fileMs = Math.min(fileMs, await dropFiles(page, [file, ...companions(file)]));
        }
        rows.push({
          model: basename(file),
          nodes: cold.nodes,
          'node cold ms': Math.round(node.cold),
          'node warm ms': Math.round(node.warm),
          'browser cold decodeMs': Math.round(cold.timings.decodeMs),
          'browser warm decodeMs': Math.round(warmMs),
          'warm ratio': Math.round((warmMs / Math.max(1, node.warm)) * 10) / 10,
          'browser file decodeMs': Math.round(fileMs),
          'file ratio': Math.round((fileMs / Math.max(1, node.warm)) * 10) / 10,
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
