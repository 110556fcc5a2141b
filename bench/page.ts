// What the browser benches share: Chromium's flags here and the wait for a model to be drawn (or to fail).
import type { Page } from 'playwright-core';
import flags from '../tests/chromium-flags.json';

/**
 * The project's headless flags plus software WebGL (SwiftShader), and nothing that changes frame pacing: vsync
 * stays on, as in a user's browser. The e2e suite launches with the same list (tests/chromium-flags.json).
 */
export const BENCH_FLAGS: string[] = flags.headless;

/** Uncapped frames, so a frame's time is its real cost rather than the 16.7 ms vsync interval. */
export const UNCAPPED_FLAGS: string[] = flags.uncapped;

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
