// A/B of one model's first frame: alternates two builds (default `dist` and `dist-b`), a fresh browser per run left
// idle 3 s first as in bench:frame, and prints each run's phases and renderer RSS. The VMs these run on drift by
// ±25% within an hour, so comparing two builds needs their runs interleaved like this, not two separate bench runs.
// `npx vite build --outDir dist-b` in a worktree of the other commit, then
// `node --import tsx bench/ab-first-frame.ts MODEL [ROUNDS] [BUILD_A] [BUILD_B]`.
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../src/cli/server.ts';
import { rendererRssMb } from './first-frame.ts';
import { BENCH_FLAGS, waitForModel } from './page.ts';

const [modelArg, roundsArg, a = 'dist', b = 'dist-b'] = process.argv.slice(2);
if (!modelArg) throw new Error('usage: bench/ab-first-frame.ts MODEL [ROUNDS] [BUILD_A] [BUILD_B]');
const file = resolve(modelArg);
const rounds = Number(roundsArg ?? 3);
const ms = (v: number | undefined) => (v === undefined ? '?' : v.toFixed(0));

for (let round = 0; round < rounds; round++) {
  // Each build goes first in every other round, so neither always meets the machine right after the other.
  for (const dist of round % 2 ? [b, a] : [a, b]) {
    const server = await startServer({ root: resolve(dist), modelPath: file });
    const browserServer = await chromium.launchServer({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
      args: BENCH_FLAGS,
    });
    const browser = await chromium.connect(browserServer.wsEndpoint());
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto('about:blank');
      await page.waitForTimeout(3000);
      await page.goto(`${server.url}?url=${encodeURIComponent(server.modelUrl ?? '')}`);
      const s = await waitForModel(page, 600_000);
      if (s.status !== 'ready') throw new Error(`${dist}: ${s.error}`);
      const t = s.timings;
      const rss = rendererRssMb(browserServer.process().pid ?? 0);
      console.log(
        `${dist.padEnd(8)} first frame ${ms(t.readyAtMs)} ms  decode ${ms(t.decodeMs)}  rows ${ms(t.boxRowsMs)}  ` +
          `groups ${ms(t.hierarchyMs)}  handoff ${ms(t.handoffMs)}  renderer ${rss} MB`,
      );
    } finally {
      await browser.close();
      await browserServer.close();
      await server.close();
    }
  }
}
