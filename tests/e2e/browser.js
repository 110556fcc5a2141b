// Shared by the e2e suite and the frame bench: the built page behind the project's static server, in headless
// Chromium (SwiftShader WebGL on machines without a GPU).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { chromium } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Chromium's flags for the e2e suite and the benches (one list, tests/chromium-flags.json). */
const FLAGS = JSON.parse(readFileSync(resolve(repoRoot, 'tests/chromium-flags.json'), 'utf8'));

/** The headless flags plus software WebGL (SwiftShader); vsync stays on. */
export const BASE_ARGS = FLAGS.headless;

/** Flags that remove the 16.7 ms frame cap, for timing frames. */
export const UNTHROTTLED_ARGS = FLAGS.uncapped;

/** The project's static server (src/cli/server.ts, loaded through tsx so this file stays plain node). */
export async function startServer(options) {
  const mod = await tsImport('../../src/cli/server.ts', import.meta.url);
  return mod.startServer(options);
}

export async function launch(extraArgs = []) {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...BASE_ARGS, ...extraArgs] });
}

/** Opens the page (optionally with ?url=) and waits for window.strata to exist. */
export async function openPage(browser, baseUrl, { modelUrl, width = 1280, height = 800, log, onRequest } = {}) {
  const page = await browser.newPage({ viewport: { width, height } });
  // Context-wide, so requests from the page's workers are seen too.
  if (onRequest) page.context().on('request', (r) => onRequest(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') log?.(`[page ${m.type()}] ${m.text()}`);
  });
  page.on('pageerror', (e) => log?.(`[page error] ${e.message}`));
  const url = modelUrl ? `${baseUrl}?url=${encodeURIComponent(modelUrl)}` : baseUrl;
  await page.goto(url);
  await page.waitForFunction(() => typeof window.strata === 'object');
  return page;
}

/** Waits until the page leaves the loading state; returns strata.state(). */
export async function waitSettled(page, timeout = 120_000) {
  await page.waitForFunction(
    () => {
      // After a navigation the new page defines window.strata a moment later.
      if (typeof window.strata !== 'object') return false;
      const s = window.strata.state();
      return (s.status === 'ready' || s.status === 'error') && !s.rendererPending;
    },
    undefined,
    { timeout, polling: 100 },
  );
  return page.evaluate(() => window.strata.state());
}

/** Centres the camera on a node's box (by node name) at a zoom. */
export const lookAt = (page, name, zoom) =>
  page.evaluate(
    ({ name, zoom }) => {
      const { scene: sc, controller: c } = window.__strataDebug;
      const L = sc.layout;
      const b = L.nodeBox[c.model.findNode(name)];
      return window.strata.camera({ x: L.boxX[b] + L.boxW[b] / 2, y: L.boxY[b] + L.boxH[b] / 2, zoom });
    },
    { name, zoom },
  );

/** The texts of the current view as the SVG export draws them (entities decoded). */
export async function drawnTexts(page) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('button.export-svg')]);
  const svg = readFileSync(await dl.path(), 'utf8');
  return [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&'),
  );
}

/**
 * For a suite module: opens a model file by ?url= in a new page of the suite's browser and asserts it is drawn.
 * `ctx` is the module's run() argument ({ assert, browser, serve, collect, track }).
 */
export async function openReadyModel(ctx, path, name, { width = 1400, height = 900 } = {}) {
  const srv = await ctx.serve(path);
  const page = await openPage(ctx.browser, srv.url, {
    modelUrl: srv.modelUrl,
    width,
    height,
    log: ctx.collect(name),
    onRequest: ctx.track,
  });
  const s = await waitSettled(page);
  ctx.assert(s.status === 'ready', `${name}: ${s.status} ${s.error ?? ''}`);
  return page;
}
