/**
 * The diff in the browser: a fresh headless Chromium opens `?url=A&compare=B` (two 100k-node chains) from the
 * built page; the decode worker decodes both and runs the diff off the main thread. Reports the worker's diff as
 * the page waited for it (`timings.diffMs`: the compare call, transfer of the result included), the engine's own
 * time inside the worker, and navigation start to the first frame of B coloured by the diff.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../src/cli/server.ts';
import { repoRoot } from '../tests/helpers/models.ts';

const ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export interface BrowserDiffRow extends Record<string, string | number> {
  case: string;
  nodes: number;
  added: number;
  removed: number;
  changed: number;
  matched: number;
  /** The page's await of the worker's compare (engine + result transfer). */
  workerDiffMs: number;
  /** diffModels inside the worker. */
  engineMs: number;
  /** Navigation start to the first frame of B coloured by the diff (both decodes, diff, grouping, layout). */
  readyAtMs: number;
}

export function distBuilt(): boolean {
  return existsSync(resolve(repoRoot, 'dist/index.html'));
}

export async function browserDiff(name: string, a: string, b: string): Promise<BrowserDiffRow> {
  const srv = await startServer({ root: resolve(repoRoot, 'dist'), modelPath: a, comparePath: b });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(
      `${srv.url}?url=${encodeURIComponent(srv.modelUrl!)}&compare=${encodeURIComponent(srv.compareUrl!)}`,
    );
    await page.waitForFunction(
      () => {
        const s = window.strata?.state();
        return !!s && ((s.status === 'ready' && s.diff !== null) || s.status === 'error');
      },
      undefined,
      { timeout: 600_000, polling: 200 },
    );
    const r = await page.evaluate(() => {
      const s = window.strata.state();
      const dbg = (
        window as unknown as {
          __strataDebug: { controller: { comparison: { diff: { timings: { totalMs: number } } } } };
        }
      ).__strataDebug;
      return { s, engineMs: dbg.controller.comparison.diff.timings.totalMs };
    });
    if (r.s.status !== 'ready' || !r.s.diff) throw new Error(`${name}: ${r.s.status} ${r.s.error ?? ''}`);
    return {
      case: name,
      nodes: r.s.nodes,
      ...r.s.diff,
      workerDiffMs: r.s.timings.diffMs,
      engineMs: r.engineMs,
      readyAtMs: r.s.timings.readyAtMs,
    };
  } finally {
    await browser.close();
    await srv.close();
  }
}
