// End-to-end cases for the drawing backends in the main (WebGL) Chromium run: WebGL context loss (restored, or
// replaced by Canvas2D when it does not come back) and the message shown when nothing can draw. Run by
// tests/e2e/run.js: `await runRenderers({ test, assert, browser, serve, collect })`.
import { resolve } from 'node:path';
import { openPage, repoRoot, waitSettled } from './browser.js';
import { canvasColors } from './core-flows.js';

const SAMPLE = resolve(repoRoot, 'samples/gpt-tiny.onnx');

/** A Playwright page as the small driver canvasColors needs. */
const driverOf = (page) => ({ evaluate: (fn, arg) => page.evaluate(fn, arg) });

export async function run({ test, assert, browser, serve, collect }) {
  const srv = await serve(SAMPLE);
  const page = await openPage(browser, srv.url, { modelUrl: srv.modelUrl, log: collect('context-loss') });

  await test('a lost WebGL context that comes back is redrawn with WebGL', async () => {
    const s = await waitSettled(page, 60_000);
    assert(s.status === 'ready' && s.renderer !== 'Canvas2D', `start: ${s.status} ${s.renderer}`);
    await page.evaluate(() => window.strata.expandAll());
    const before = await canvasColors(driverOf(page));
    await page.evaluate(async () => {
      const canvas = document.querySelector('canvas.graph-canvas');
      const ext = canvas.getContext('webgl2').getExtension('WEBGL_lose_context');
      const restored = new Promise((r) => canvas.addEventListener('webglcontextrestored', r, { once: true }));
      ext.loseContext();
      await new Promise((r) => setTimeout(r, 100));
      ext.restoreContext();
      await restored;
    });
    // Pan a little so the frame must be drawn with the restored context.
    const cam = (await page.evaluate(() => window.strata.state())).camera;
    await page.evaluate((c) => window.strata.camera({ x: c.x + 1, y: c.y }), cam);
    const after = await page.evaluate(() => window.strata.state());
    assert(after.renderer === s.renderer, `renderer changed to ${after.renderer}`);
    const colors = await canvasColors(driverOf(page));
    assert(colors > 5 && colors >= before / 2, `canvas after restore: ${colors} colours (before ${before})`);
  });

  await test('a lost WebGL context that does not come back gives way to Canvas2D, same view', async () => {
    const cam = (await page.evaluate(() => window.strata.state())).camera;
    await page.evaluate(() => {
      document
        .querySelector('canvas.graph-canvas')
        .getContext('webgl2')
        .getExtension('WEBGL_lose_context')
        .loseContext();
    });
    await page.waitForFunction(() => window.strata.state().renderer === 'Canvas2D', undefined, { timeout: 15_000 });
    const s = await page.evaluate(() => window.strata.camera());
    const now = (await page.evaluate(() => window.strata.state())).camera;
    assert(Math.abs(now.zoom - cam.zoom) / cam.zoom < 1e-6, `zoom ${cam.zoom} → ${now.zoom}`);
    assert(Math.abs(now.x - cam.x) < 1 && Math.abs(now.y - cam.y) < 1, 'camera moved');
    assert(s === undefined || typeof s === 'object', 'camera() failed');
    const colors = await canvasColors(driverOf(page));
    assert(colors > 5, `canvas after the switch: ${colors} colours`);
    assert(
      (await page.evaluate(() => document.querySelectorAll('canvas.graph-canvas').length)) === 1,
      'old canvas left on the page',
    );
    const sel = await page.evaluate(() => window.strata.select(window.strata.search('MatMul')[0]?.name ?? ''));
    assert(sel, 'select after the switch');
  });
  await page.close();

  await test('no renderer at all: one message saying what to do, no stack trace', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // A browser that hands out no drawing context of any kind.
    await context.addInitScript(() => {
      HTMLCanvasElement.prototype.getContext = () => null;
    });
    const p = await context.newPage();
    await p.goto(srv.url);
    await p.waitForFunction(() => typeof window.strata === 'object' && window.strata.state().status === 'error');
    const shown = await p.evaluate(() => document.body.textContent);
    const s = await p.evaluate(() => window.strata.state());
    assert(
      /cannot draw in this browser/.test(shown) && /hardware acceleration|Firefox, Chrome/.test(shown),
      `shown: ${shown.slice(0, 300)}`,
    );
    assert(!/\bat \S+ \(|\.js:\d+|TypeError|undefined/.test(shown), `technical text shown: ${shown.slice(0, 300)}`);
    assert(/cannot draw/.test(s.error ?? ''), `state error ${s.error}`);
    await context.close();
  });
}
