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
// A second table splits the best run of each path into its parts, from the decode worker's marks (decode/io/open-marks.ts):
// msg (page → decode worker), source (opening it: a URL's first response), first byte (→ the decoder's first read
// resolved), reading (→ its last read resolved: transfer and decoding interleaved), tail (→ decoded: decoding after the
// last read, companion files).
// Two more columns give the browser's floor for a dropped file, measured on the page with the same File: one 4 KB Blob
// read (median of 10; decoders read in several dependent steps) and one read of the whole file (best of 3; Node reads
// a file from the page cache several times faster). Where they alone exceed 1.5x Node's whole decode, no decoder
// change can meet that ratio.
// Env: BENCH_DECODE_ONLY=<substring> to measure only matching models; BENCH_DIST=<dir> serves another build (A/B).
import { loadavg } from 'node:os';
import { readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { OPEN_MARKS, type OpenMark } from '../src/decode/io/open-marks.ts';
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
    resolve(sharedModels, 'onnx/gpt_decoder_10k.onnx'),
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

/** Opens `files` through the page's file picker, as a drop does; returns the page's state once it is open. */
async function dropFiles(page: Page, files: string[]): Promise<BenchState> {
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
  return after;
}

/** The dropped model file's Blob read costs on the page: one 4 KB read (median of 10), the whole file (best of 3). */
async function blobFloor(page: Page, file: string): Promise<{ read4k: number; whole: number }> {
  // An input of its own: the app's file input is emptied once it has opened a file.
  await page.evaluate(() => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'bench-floor';
    input.hidden = true;
    document.body.append(input);
  });
  await page.setInputFiles('#bench-floor', file);
  return page.evaluate(async () => {
    const file = (document.getElementById('bench-floor') as HTMLInputElement).files?.[0];
    if (!file) throw new Error('no file to read');
    const small: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await file.slice(0, 4096).arrayBuffer();
      small.push(performance.now() - t);
    }
    let whole = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await file.arrayBuffer();
      whole = Math.min(whole, performance.now() - t);
    }
    small.sort((a, b) => a - b);
    return { read4k: small[5], whole };
  });
}

/** Where one open's decodeMs went, in ms (see the header). */
type OpenParts = Record<'msg' | 'source' | 'first byte' | 'reading' | 'tail', number>;

/** The parts of the page's last open, from the decode worker's marks placed on the page's clock. */
async function openParts(page: Page, state: BenchState): Promise<OpenParts> {
  const worker = page.workers().find((w) => w.url().includes('decode'));
  if (!worker) throw new Error('no decode worker');
  const [pageOrigin, marks] = await Promise.all([
    page.evaluate(() => performance.timeOrigin),
    worker.evaluate(
      (names) => ({
        origin: performance.timeOrigin,
        at: Object.fromEntries(names.map((n) => [n, performance.getEntriesByName(n, 'mark')[0]?.startTime ?? -1])),
      }),
      [...OPEN_MARKS],
    ),
  ]);
  const at = (name: OpenMark) => marks.origin + marks.at[name] - pageOrigin;
  const span = (from: number, to: number) => Math.round((to - from) * 10) / 10;
  const t0 = state.timings.openAtMs;
  return {
    msg: span(t0, at('strata:decode-start')),
    source: span(at('strata:decode-start'), at('strata:decode-source')),
    'first byte': span(at('strata:decode-source'), at('strata:decode-first-byte')),
    reading: span(at('strata:decode-first-byte'), at('strata:decode-last-byte')),
    tail: span(at('strata:decode-last-byte'), at('strata:decode-done')),
  };
}

function describeParts(parts: OpenParts): string {
  return Object.values(parts).join(' / ');
}

async function main(): Promise<void> {
  const only = process.env.BENCH_DECODE_ONLY;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: DEFAULT_FLAGS });
  const rows: Record<string, string | number>[] = [];
  const partRows: Record<string, string | number>[] = [];
  try {
    for (const file of models()) {
      if (only && !file.includes(only)) continue;
      const node = await nodeDecodeMs(file);
      const server = await startServer({ root: process.env.BENCH_DIST ?? resolve(repoRoot, 'dist'), modelPath: file });
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      try {
        await page.goto(`${server.url}?url=${encodeURIComponent(server.modelUrl ?? '')}`);
        const cold = await waitForModel(page, 300_000, 20);
        if (cold.status !== 'ready') throw new Error(`${basename(file)}: ${cold.error}`);
        let warmMs = Number.POSITIVE_INFINITY;
        let warmParts: OpenParts | null = null;
        for (let run = 0; run < WARM_RUNS; run++) {
          await settle(page);
          await page.evaluate(
            (u) => (window as unknown as { strata: { open(u: string): Promise<void> } }).strata.open(u),
            server.modelUrl ?? '',
          );
          const warm = await waitForModel(page, 300_000, 20);
          if (warm.status !== 'ready') throw new Error(`${basename(file)}: ${warm.error}`);
          if (warm.timings.decodeMs < warmMs) {
            warmMs = warm.timings.decodeMs;
            warmParts = await openParts(page, warm);
          }
        }
        let fileMs = Number.POSITIVE_INFINITY;
        let fileParts: OpenParts | null = null;
        for (let run = 0; run < WARM_RUNS; run++) {
          await settle(page);
          const dropped = await dropFiles(page, [file, ...companions(file)]);
          if (dropped.timings.decodeMs < fileMs) {
            fileMs = dropped.timings.decodeMs;
            fileParts = await openParts(page, dropped);
          }
        }
        const floor = await blobFloor(page, file);
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
          'blob 4 KB read ms': Math.round(floor.read4k * 10) / 10,
          'blob whole-file read ms': Math.round(floor.whole * 10) / 10,
        });
        partRows.push({
          model: basename(file),
          'url: msg / source / first byte / reading / tail': warmParts ? describeParts(warmParts) : '',
          'file: msg / source / first byte / reading / tail': fileParts ? describeParts(fileParts) : '',
        });
        process.stdout.write(`${JSON.stringify({ ...rows.at(-1), ...partRows.at(-1) })}\n`);
      } finally {
        await page.close();
        await server.close();
      }
    }
  } finally {
    await browser.close();
  }
  printTable(`browser decode vs Node (load ${loadavg()[0].toFixed(1)})`, rows);
  printTable('browser decodeMs of the best runs, in parts (ms)', partRows);
  writeResults('decode-browser', rows, {
    loadAverage: loadavg().map((x) => Math.round(x * 10) / 10),
    parts: partRows,
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
