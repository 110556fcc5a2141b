// Frame bench, in two parts, both in headless Chromium with SwiftShader. `npm run bench:frame` (builds first).
// 1. Time to first frame as a user waits for it (first-frame.bench.ts): a fresh, settled browser per model,
//    default flags (vsync on), real files and chains up to 1M nodes.
// 2. Frame times while panning and zooming (collapsed, expand-all overview, expand-all zoomed in), relayout time
//    and JS heap on ~10k / ~100k / ~300k-node chains, in one browser with the frame-rate cap off so a frame's
//    time is its cost, not the 16.7 ms vsync interval (its first-frame column is that uncapped browser's).
// Writes bench/results/frame.json. Env: BENCH_FRAME_SIZES=10000,100000 (part 2 sizes); BENCH_FRAME_FRAMES=150
// frames per pass; BENCH_FIRST_* (see first-frame.bench.ts); BENCH_FRAME_PARTS=first,passes to run one part.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { browserBenchMachine } from './lib.ts';
import { BENCH_FLAGS, UNCAPPED_FLAGS, waitForModel } from './page.ts';
import { startServer } from '../src/cli/server.ts';
import { chainModel, repoRoot } from '../tests/helpers/models.ts';
import { runFirstFrame, targetMs } from './first-frame.bench.ts';
import { DEFAULT_FLAGS, type FirstFrameResult } from './first-frame.ts';

const SIZES = (process.env.BENCH_FRAME_SIZES ?? '10000,100000,300000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const FRAMES = Math.max(120, Number(process.env.BENCH_FRAME_FRAMES ?? 150));
const ARGS = [...BENCH_FLAGS, ...UNCAPPED_FLAGS];
const WIDTH = 1280;
const HEIGHT = 800;

interface FrameStats {
  frames: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  meanMs: number;
  /** JS time inside renderer.render() (median), excluding rebuilds. */
  renderJsMedianMs: number;
  rebuilds: number;
  drawCalls: number;
  visibleNodes: number;
  tier: string;
}

interface SizeResult {
  nodes: number;
  groups: number;
  file: string;
  /** Navigation start to the first frame of the model, in the page's clock. */
  firstFrameMs: number;
  phases: Record<string, number>;
  heapAfterLoadMb: number;
  expandAllMs: number;
  heapExpandedMb: number;
  boxesExpanded: number;
  passes: Record<string, FrameStats>;
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const r1 = (x: number) => Math.round(x * 10) / 10;

async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const used = metrics.find((m: { name: string }) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  return r1(used / (1 << 20));
}

type Path = 'overview' | 'detail';

/** Drives the camera one step per animation frame and records rAF-to-rAF intervals. */
async function framePass(page: Page, path: Path): Promise<FrameStats> {
  const raw = await page.evaluate(
    async ({ frames, path }) => {
      const w = window as unknown as { strata: any; __strataDebug: { scene: any } };
      const scene = w.__strataDebug.scene;
      const start = path === 'overview' ? await w.strata.fit() : await w.strata.camera();
      const sw = scene.viewport.screenWidth;
      const sh = scene.viewport.screenHeight;
      const dts: number[] = [];
      const render: number[] = [];
      const rebuilds0 = scene.stats.rebuilds;
      await new Promise<void>((done) => {
        let i = 0;
        let last = 0;
        const warmup = 5;
        const step = (t: number) => {
          if (last && i > warmup) {
            dts.push(t - last);
            render.push(scene.stats.renderMs);
          }
          last = t;
          if (i >= frames + warmup) return done();
          const k = i++ / frames;
          const a = k * Math.PI * 2;
          if (path === 'overview') {
            // Pan around the fitted view and zoom between 0.7x and 6x of the fit.
            const zoom = start.zoom * (6 / 0.7) ** ((1 - Math.cos(a)) / 2) * 0.7;
            scene.setCamera({
              x: start.x + (Math.sin(a) * 0.35 * sw) / zoom,
              y: start.y + (Math.sin(2 * a) * 0.35 * sh) / zoom,
              zoom,
            });
          } else {
            // Zoomed in on labelled nodes: a steady pan down the model (18 px/frame) with a gentle zoom wobble.
            const zoom = start.zoom * (1 + 0.35 * Math.sin(a));
            scene.setCamera({
              x: start.x + (Math.sin(a) * 0.3 * sw) / start.zoom,
              y: start.y + (i * 18) / start.zoom,
              zoom,
            });
          }
          requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      });
      const s = w.strata.state();
      return {
        dts,
        render,
        rebuilds: scene.stats.rebuilds - rebuilds0,
        drawCalls: s.drawCalls,
        visibleNodes: s.visibleNodes,
        tier: s.tier,
      };
    },
    { frames: FRAMES, path },
  );
  const sorted = [...raw.dts].sort((a, b) => a - b);
  const rs = [...raw.render].sort((a, b) => a - b);
  return {
    frames: sorted.length,
    medianMs: r1(pct(sorted, 50)),
    p95Ms: r1(pct(sorted, 95)),
    maxMs: r1(sorted[sorted.length - 1]),
    meanMs: r1(sorted.reduce((x, y) => x + y, 0) / sorted.length),
    renderJsMedianMs: Math.round(pct(rs, 50) * 100) / 100,
    rebuilds: raw.rebuilds,
    drawCalls: raw.drawCalls,
    visibleNodes: raw.visibleNodes,
    tier: raw.tier,
  };
}

async function benchSize(browser: Browser, nodes: number): Promise<SizeResult> {
  const file = chainModel(nodes);
  const server = await startServer({ root: resolve(repoRoot, 'dist'), modelPath: file });
  const page = await browser.newPage({ viewport: { width: WIDTH, height: HEIGHT } });
  // tsx compiles the evaluate callbacks with esbuild's keepNames, which calls a `__name` helper in the page.
  await page.addInitScript('window.__name = (f) => f;');
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${server.url}?url=${encodeURIComponent(server.modelUrl ?? '')}`);
    const loaded = await waitForModel(page, 600_000);
    if (loaded.status !== 'ready') throw new Error(`${file}: ${loaded.error}`);
    const heapAfterLoadMb = await heapMb(page);
    const passes: Record<string, FrameStats> = {};
    await page.evaluate(() => (window as any).strata.collapseAll());
    passes.collapsed = await framePass(page, 'overview');
    const t0 = Date.now();
    const expanded = await page.evaluate(() => (window as any).strata.expandAll());
    const expandAllMs = Date.now() - t0;
    const heapExpandedMb = await heapMb(page);
    passes.expandedOverview = await framePass(page, 'overview');
    // Zoom onto a node a third of the way into the model (labels, routed edges).
    const target = `/layers.${Math.floor(Math.max(0, (nodes - 1) / 19) / 3)}/attn/q_proj/MatMul`;
    const sel = await page.evaluate((n) => (window as any).strata.select(n), target);
    if (!sel) throw new Error(`cannot select ${target}`);
    await page.evaluate(() => (window as any).strata.camera({ zoom: 1 }));
    passes.expandedDetail = await framePass(page, 'detail');
    // With the frame-rate limit off, an idle page produces no frames for the screenshot to wait on: keep one
    // animation-frame loop running while it is taken.
    await page.evaluate(
      'window.__spin = true; (function spin() { if (window.__spin) requestAnimationFrame(spin); })();',
    );
    await page
      .screenshot({ path: resolve(repoRoot, `bench/results/frame-${nodes}.png`), timeout: 60_000 })
      .catch((e) => console.warn(`screenshot: ${e.message.split('\n')[0]}`));
    await page.evaluate('window.__spin = false;');
    if (errors.length) console.warn(`page errors: ${errors.slice(0, 3).join(' | ')}`);
    return {
      nodes: loaded.nodes,
      groups: loaded.groups,
      file: file.replace(`${repoRoot}/`, ''),
      firstFrameMs: loaded.timings.readyAtMs,
      phases: {
        decodeMs: loaded.timings.decodeMs,
        hierarchyMs: loaded.timings.hierarchyMs,
        layoutMs: loaded.timings.layoutMs,
        drawMs: loaded.timings.firstFrameMs,
      },
      heapAfterLoadMb,
      expandAllMs,
      heapExpandedMb,
      boxesExpanded: expanded.boxes,
      passes,
    };
  } finally {
    await page.close();
    await server.close();
  }
}

const PARTS = (process.env.BENCH_FRAME_PARTS ?? 'first,passes').split(',');

async function main(): Promise<void> {
  const firstFrame: FirstFrameResult[] = PARTS.includes('first') ? await runFirstFrame(false) : [];
  const results: SizeResult[] = [];
  let renderer = '';
  if (PARTS.includes('passes')) renderer = await framePasses(results);
  writeAndPrint(firstFrame, results, renderer);
}

async function framePasses(results: SizeResult[]): Promise<string> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ARGS,
  });
  let renderer = '';
  try {
    // Start the GPU process (SwiftShader) once, so the first size does not pay for browser start-up.
    const warm = await browser.newPage();
    await warm.evaluate(() => void document.createElement('canvas').getContext('webgl2')?.clear(0));
    await warm.close();
    for (const n of SIZES) {
      process.stdout.write(`frame bench: ${n.toLocaleString('en-US')} nodes…\n`);
      const r = await benchSize(browser, n);
      results.push(r);
    }
    const probe = await browser.newPage();
    renderer = await probe.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      if (!gl) return 'no WebGL2';
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      return String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    });
    await probe.close();
  } finally {
    await browser.close();
  }
  return renderer;
}

function writeAndPrint(firstFrame: FirstFrameResult[], results: SizeResult[], renderer: string): void {
  const cases = results.flatMap((r) =>
    Object.entries(r.passes).map(([mode, p]) => ({
      name: `chain-${r.nodes / 1000}k/${mode}`,
      nodes: r.nodes,
      mode,
      ...p,
    })),
  );
  const out = {
    name: 'frame',
    machine: browserBenchMachine(),
    date: new Date().toISOString(),
    browser: {
      executable: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      renderer,
      viewport: `${WIDTH}x${HEIGHT}`,
      flags: ARGS,
    },
    firstFrame: {
      how: 'fresh browser per model, idle 3 s on about:blank, then navigation to ?url=; default flags (vsync on)',
      flags: DEFAULT_FLAGS,
      models: firstFrame.map((r) => ({ ...r, targetMs: targetMs(r.nodes) ?? null })),
    },
    framesPerPass: FRAMES,
    sizes: results,
    cases,
  };
  mkdirSync(resolve(repoRoot, 'bench/results'), { recursive: true });
  writeFileSync(resolve(repoRoot, 'bench/results/frame.json'), `${JSON.stringify(out, null, 2)}\n`);

  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(`\nrenderer: ${renderer}`);
  console.log(`load average: ${out.machine.loadAverage.join(' ')} on ${out.machine.cores} cores\n`);
  console.log(
    `${'nodes'.padEnd(9)}${pad('1st (uncap)', 12)}${pad('decode', 9)}${pad('groups', 9)}${pad('layout', 9)}${pad('expandAll', 11)}${pad('heap MB', 9)}${pad('heap exp', 10)}`,
  );
  for (const r of results) {
    console.log(
      `${String(r.nodes).padEnd(9)}${pad(`${r.firstFrameMs} ms`, 12)}${pad(r.phases.decodeMs, 9)}${pad(r.phases.hierarchyMs, 9)}${pad(r.phases.layoutMs, 9)}${pad(`${r.expandAllMs} ms`, 11)}${pad(r.heapAfterLoadMb, 9)}${pad(r.heapExpandedMb, 10)}`,
    );
  }
  console.log(
    `\n${'case'.padEnd(30)}${pad('median', 8)}${pad('p95', 8)}${pad('max', 8)}${pad('js', 7)}${pad('rebuilds', 9)}${pad('draws', 6)}${pad('visible', 9)}  tier`,
  );
  for (const c of cases) {
    console.log(
      `${c.name.padEnd(30)}${pad(c.medianMs, 8)}${pad(c.p95Ms, 8)}${pad(c.maxMs, 8)}${pad(c.renderJsMedianMs, 7)}${pad(c.rebuilds, 9)}${pad(c.drawCalls, 6)}${pad(c.visibleNodes, 9)}  ${c.tier}`,
    );
  }
  console.log('\nwrote bench/results/frame.json');
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
