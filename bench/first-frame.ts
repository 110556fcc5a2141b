// Time to first frame as a user waits for it: a fresh browser per model with Chromium's default frame pacing
// (vsync on), left idle on about:blank first (a user's browser is already running), then navigation to
// `?url=<model>`; the time is navigation start to the model's first frame (`state().timings.readyAtMs`).
// Also records the page's renderer-process memory once the model is drawn.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../src/cli/server.ts';
import { chainModel, repoRoot } from '../tests/helpers/models.ts';
import { BENCH_FLAGS, waitForModel } from './page.ts';

const SETTLE_MS = 3000;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Chromium's flags for the first-frame runs: default frame pacing (see page.ts). */
export const DEFAULT_FLAGS = BENCH_FLAGS;

export interface FirstFrameModel {
  name: string;
  file: string;
}

export interface FirstFrameResult {
  model: string;
  file: string;
  fileMb: number;
  nodes: number;
  /** Navigation start to the model's first frame, in the page's clock; median of the runs. */
  firstFrameMs: number;
  runsMs: number[];
  /** Phases of the median run (ms, from the page's timings). */
  phases: Record<string, number>;
  rendererRssMb: number;
}

const shared = resolve(repoRoot, '../shared/models');

/** The models the targets name: real everyday files, then generated chains up to 1M nodes. */
export function firstFrameModels(sizes: number[]): FirstFrameModel[] {
  const real: FirstFrameModel[] = [
    { name: 'samples/gpt-tiny.onnx', file: resolve(repoRoot, 'samples/gpt-tiny.onnx') },
    { name: 'ch_PP-OCRv4_det_infer.onnx', file: resolve(shared, 'onnx/ch_PP-OCRv4_det_infer.onnx') },
    { name: 'llama_32L.onnx', file: resolve(shared, 'onnx/llama_32L.onnx') },
    { name: 'gpt_decoder_10k.onnx', file: resolve(shared, 'onnx/gpt_decoder_10k.onnx') },
  ];
  const chains = sizes.map((n) => ({ name: `chain ${n.toLocaleString('en-US')}`, file: chainModel(n) }));
  return [...real, ...chains];
}

/** Resident memory of the biggest renderer process under `browserPid` (the page's; WebUI renderers are small). */
export function rendererRssMb(browserPid: number): number {
  const children = new Map<number, number[]>();
  const info = new Map<number, { rss: number; renderer: boolean }>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      info.set(pid, { rss: rssKb / 1024, renderer: cmd.includes('--type=renderer') });
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      /* the process ended while we looked */
    }
  }
  let best = 0;
  const walk = (pid: number) => {
    const p = info.get(pid);
    if (p?.renderer) best = Math.max(best, p.rss);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(browserPid);
  return Math.round(best);
}

async function oneRun(model: FirstFrameModel, url: string) {
  const server = await chromium.launchServer({ executablePath: CHROMIUM, headless: true, args: DEFAULT_FLAGS });
  const browser = await chromium.connect(server.wsEndpoint());
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto('about:blank');
    await page.waitForTimeout(SETTLE_MS);
    await page.goto(url);
    const s = await waitForModel(page, 600_000);
    if (s.status !== 'ready') throw new Error(`${model.name}: ${s.error}`);
    const pid = server.process().pid;
    return { state: s, rssMb: pid ? rendererRssMb(pid) : 0 };
  } finally {
    await browser.close().catch(() => {});
    await server.close();
  }
}

export async function measureFirstFrame(model: FirstFrameModel, runs: number): Promise<FirstFrameResult> {
  const server = await startServer({ root: resolve(repoRoot, 'dist'), modelPath: model.file });
  try {
    const url = `${server.url}?url=${encodeURIComponent(server.modelUrl ?? '')}`;
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await oneRun(model, url));
    results.sort((a, b) => a.state.timings.readyAtMs - b.state.timings.readyAtMs);
    const mid = results[Math.floor((results.length - 1) / 2)];
    const t = mid.state.timings;
    return {
      model: model.name,
      file: basename(model.file),
      fileMb: Math.round(statSync(model.file).size / 1e5) / 10,
      nodes: mid.state.nodes,
      firstFrameMs: t.readyAtMs,
      runsMs: results.map((r) => r.state.timings.readyAtMs),
      phases: {
        startupMs: t.startupMs,
        openAtMs: t.openAtMs,
        decodeMs: t.decodeMs,
        boxRowsMs: t.boxRowsMs,
        hierarchyMs: t.hierarchyMs,
        layoutMs: t.layoutMs,
        handoffMs: t.handoffMs,
        drawMs: t.firstFrameMs,
      },
      rendererRssMb: Math.max(...results.map((r) => r.rssMb)),
    };
  } finally {
    await server.close();
  }
}
