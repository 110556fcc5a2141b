// Startup timeline of one page load: resource timing of every script chunk, the page's performance marks and
// state().timings, in navigation-start milliseconds. For A/B work on the renderer's startup path, where the
// first-frame bench only gives totals. Optionally writes a main-thread CPU profile (chrome://inspect format).
// Usage: node --import tsx bench/startup-marks.ts [model] [runs] [distDir] [profile.cpuprofile]
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../src/cli/server.ts';
import { chainModel, repoRoot } from '../tests/helpers/models.ts';
import { DEFAULT_FLAGS } from './first-frame.ts';
import { waitForModel } from './page.ts';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function modelFile(name: string): string {
  const chain = /^chain(\d+)$/.exec(name);
  if (chain) return chainModel(Number(chain[1]));
  if (name === 'gpt-tiny') return resolve(repoRoot, 'samples/gpt-tiny.onnx');
  return resolve(repoRoot, '../shared/models/onnx', name);
}

async function main(): Promise<void> {
  const [name = 'gpt-tiny', runsArg = '1', distArg = 'dist', profilePath] = process.argv.slice(2);
  const server = await startServer({ root: resolve(repoRoot, distArg), modelPath: modelFile(name) });
  const url = `${server.url}?url=${encodeURIComponent(server.modelUrl ?? '')}`;
  try {
    for (let run = 0; run < Number(runsArg); run++) {
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: DEFAULT_FLAGS });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        // A same-origin page first, so the profiler attaches to the renderer process the model page will use.
        await page.goto(`${server.url}no-such-page`);
        await page.waitForTimeout(3000);
        const cdp = profilePath ? await page.context().newCDPSession(page) : null;
        if (cdp) {
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
          await cdp.send('Profiler.start');
        }
        await page.goto(url);
        await waitForModel(page, 120_000);
        if (cdp && profilePath) {
          const { profile } = await cdp.send('Profiler.stop');
          writeFileSync(profilePath, JSON.stringify(profile));
        }
        const report = await page.evaluate(() => {
          const res = performance
            .getEntriesByType('resource')
            .map((e) => e as PerformanceResourceTiming)
            .filter((e) => /\.(js|css)$/.test(e.name))
            .map((e) => `${Math.round(e.startTime)}-${Math.round(e.responseEnd)} ${e.name.replace(/.*\//, '')}`);
          const marks = performance.getEntriesByType('mark').map((m) => `${Math.round(m.startTime)} ${m.name}`);
          const t = (window as unknown as { strata: { state(): { timings: Record<string, number> } } }).strata.state()
            .timings;
          const debug = (window as unknown as { __strataDebug?: { scene: { stats: Record<string, number> } } })
            .__strataDebug;
          return { res, marks, t, stats: debug?.scene.stats };
        });
        console.log(`--- ${name} run ${run + 1}`);
        if (run === 0) console.log(report.res.join('\n'));
        console.log(report.marks.join('  |  '));
        console.log('scene stats', JSON.stringify(report.stats));
        console.log(
          `startup ${report.t.startupMs}  open ${report.t.openAtMs}  decode ${report.t.decodeMs}  layout ${report.t.layoutMs}  draw ${report.t.firstFrameMs}  ready ${report.t.readyAtMs}`,
        );
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }
}

await main();
