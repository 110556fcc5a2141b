// What the browser benches share: Chromium's flags here and the wait for a model to be drawn (or to fail).
import type { Page } from 'playwright-core';

/**
 * The project's headless flags plus software WebGL (SwiftShader), and nothing that changes frame pacing: vsync
 * stays on, as in a user's browser. tests/e2e/browser.js holds the same list for the e2e suite (plain JS there).
 */
export const BENCH_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

/** Uncapped frames, so a frame's time is its real cost rather than the 16.7 ms vsync interval. */
export const UNCAPPED_FLAGS = ['--disable-gpu-vsync', '--disable-frame-rate-limit'];

/** The fields of `window.strata.state()` the benches read. */
export interface BenchState {
  status: string;
  error?: string;
  nodes: number;
  groups: number;
  timings: Record<string, number>;
}

/**
 * Waits until the page's model is drawn (or has failed) and WebGL has taken over from the first-frame Canvas2D
 * renderer, and returns `state()`. The first frame's time is in its timings either way.
 */
export async function waitForModel(page: Page, timeoutMs: number, pollMs = 50): Promise<BenchState> {
  await page.waitForFunction(
    () => {
      const s = (
        window as unknown as { strata?: { state(): { status: string; rendererPending: boolean } } }
      ).strata?.state();
      return s && (s.status === 'ready' || s.status === 'error') && !s.rendererPending;
    },
    undefined,
    { timeout: timeoutMs, polling: pollMs },
  );
  return page.evaluate(() => (window as unknown as { strata: { state(): BenchState } }).strata.state());
}
