// The core flows (core-flows.js) in the browsers that draw without WebGL:
//   node tests/e2e/fallback-runs.js chromium-nogl   Chromium with WebGL turned off (--disable-webgl --disable-3d-apis)
//   node tests/e2e/fallback-runs.js firefox         Debian's firefox-esr, headless (no WebGL there), driven by
//                                                   puppeteer-core over WebDriver BiDi (Playwright cannot drive it)
// Both must draw with the Canvas2D renderer. Prints one line per test and a closing `N passed, M failed`.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import puppeteer from 'puppeteer-core';
import { launch, repoRoot, startServer } from './browser.js';
import { runCoreFlows } from './core-flows.js';

export const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
/** Chromium flags that take WebGL (and WebGPU) away, as on a GPU-blocklisted machine. */
export const NO_WEBGL_ARGS = ['--disable-webgl', '--disable-3d-apis'];

const mode = process.argv[2];
const DIST = resolve(repoRoot, 'dist');
const SAMPLE = resolve(repoRoot, 'samples/gpt-tiny.onnx');

const results = [];
const log = (line) => process.stdout.write(`${line}\n`);
async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push(true);
    log(`  ✓ ${name} (${Date.now() - t0} ms)`);
  } catch (err) {
    results.push(false);
    log(
      `  ✗ ${name} (${Date.now() - t0} ms)\n      ${String(err?.stack ?? err)
        .split('\n')
        .slice(0, 4)
        .join('\n      ')}`,
    );
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/** Playwright page → the driver interface core-flows.js speaks. */
function playwrightDriver(page) {
  return {
    goto: (url) => page.goto(url),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    waitFor: (fn, arg, timeout) => page.waitForFunction(fn, arg, { timeout, polling: 100 }),
    click: (x, y) => page.mouse.click(x, y),
    clickSelector: (sel) => page.click(sel),
    drag: async (x, y, dx, dy) => {
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(x + dx, y + dy, { steps: 20 });
      await page.mouse.up();
    },
    wheel: async (x, y, dy) => {
      await page.mouse.move(x, y);
      await page.mouse.wheel(0, dy);
    },
    upload: (sel, path) => page.setInputFiles(sel, path),
  };
}

/** Puppeteer page (WebDriver BiDi) → the same interface. */
function puppeteerDriver(page) {
  return {
    goto: (url) => page.goto(url),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    waitFor: (fn, arg, timeout) => page.waitForFunction(fn, { timeout, polling: 100 }, arg),
    click: (x, y) => page.mouse.click(x, y),
    clickSelector: (sel) => page.click(sel),
    drag: async (x, y, dx, dy) => {
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(x + dx, y + dy, { steps: 20 });
      await page.mouse.up();
    },
    wheel: async (x, y, dy) => {
      await page.mouse.move(x, y);
      await page.mouse.wheel({ deltaY: dy });
    },
    upload: async (sel, path) => {
      const input = await page.$(sel);
      await input.uploadFile(path);
    },
  };
}

/** Starts the browser for `mode`; returns the driver, a close function and the errors the page reports. */
async function openBrowser() {
  const errors = [];
  if (mode === 'firefox') {
    if (!existsSync(FIREFOX)) throw new Error(`Firefox not found at ${FIREFOX} (apt-get install firefox-esr)`);
    const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    return { driver: puppeteerDriver(page), close: () => browser.close(), errors };
  }
  if (mode === 'chromium-nogl') {
    const browser = await launch(NO_WEBGL_ARGS);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    return { driver: playwrightDriver(page), close: () => browser.close(), errors };
  }
  throw new Error(`unknown mode ${mode}: use chromium-nogl or firefox`);
}

if (!existsSync(resolve(DIST, 'index.html'))) {
  log('dist/index.html missing: run `npm run build` first');
  log('0 passed, 1 failed');
  process.exit(1);
}

log(`e2e ${mode}: core flows with the Canvas2D renderer`);
const server = await startServer({ root: DIST, modelPath: SAMPLE });
let session = null;
try {
  session = await openBrowser();
  await runCoreFlows({
    test,
    assert,
    driver: session.driver,
    server,
    samplePath: SAMPLE,
    expectRenderer: 'Canvas2D',
    label: mode,
  });
  await test(`${mode}: no unexpected page errors`, async () => {
    const unexpected = session.errors.filter((e) => !/404|Not Found|Failed to load resource/i.test(e));
    assert(unexpected.length === 0, unexpected.slice(0, 5).join('\n'));
  });
} catch (err) {
  results.push(false);
  log(`  ✗ ${mode}: could not run (${err?.message ?? err})`);
} finally {
  await session?.close().catch(() => {});
  await server.close().catch(() => {});
}

const passed = results.filter(Boolean).length;
log(`${passed} passed, ${results.length - passed} failed`);
process.exit(results.length - passed ? 1 : 0);
