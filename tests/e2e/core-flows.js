// The viewer's core flows, written once for any browser driver: Playwright (Chromium) and Puppeteer over WebDriver
// BiDi (Firefox) differ in a few calls, which the `driver` adapter hides. Used by fallback-runs.js for the runs
// without WebGL (Chromium with WebGL disabled, Firefox headless), where the Canvas2D renderer draws.

/** Samples the graph canvas: how many distinct colours a sparse grid of its pixels has (1 means blank). */
export async function canvasColors(driver) {
  return driver.evaluate(async () => {
    const c = document.querySelector('canvas.graph-canvas');
    // A WebGL canvas keeps its pixels only until the frame is presented: draw and read in one task (as PNG export).
    window.__strataDebug.scene.renderNow();
    const img = new Image();
    img.src = c.toDataURL();
    await img.decode();
    const t = document.createElement('canvas');
    t.width = c.width;
    t.height = c.height;
    const x = t.getContext('2d');
    x.drawImage(img, 0, 0);
    const d = x.getImageData(0, 0, t.width, t.height).data;
    const colors = new Set();
    for (let i = 0; i < d.length; i += 4 * 97) colors.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return colors.size;
  });
}

/** Client coordinates of the centre of the first operator box on screen, or null. */
function nodeOnScreen(driver) {
  return driver.evaluate(() => {
    const scene = window.__strataDebug.scene;
    const L = scene.layout;
    const r = document.querySelector('canvas.graph-canvas').getBoundingClientRect();
    const view = scene.viewRect();
    for (let b = 0; b < L.boxCount; b++) {
      if (L.boxKind[b] !== 0) continue;
      const cx = L.boxX[b] + L.boxW[b] / 2;
      const cy = L.boxY[b] + L.boxH[b] / 2;
      if (cx < view.minX || cx > view.maxX || cy < view.minY || cy > view.maxY) continue;
      const p = scene.toScreen(cx, cy);
      // Clear of the minimap in the bottom-right corner.
      if (p.sx > r.width - 240 && p.sy > r.height - 180) continue;
      return { x: r.left + p.sx, y: r.top + p.sy };
    }
    return null;
  });
}

/** Captures the next file the page offers for download (the exports click a blob: link). */
async function captureDownload(driver, click) {
  await driver.evaluate(() => {
    window.__downloads = [];
    if (window.__downloadHooked) return;
    window.__downloadHooked = true;
    const original = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function click() {
      if (this.download && this.href.startsWith('blob:')) {
        const name = this.download;
        window.__downloads.push(
          fetch(this.href)
            .then((r) => r.arrayBuffer())
            .then((b) => ({ name, bytes: Array.from(new Uint8Array(b.slice(0, 64))), size: b.byteLength })),
        );
        return;
      }
      original.call(this);
    };
  });
  await click();
  await driver.waitFor(() => window.__downloads.length > 0, undefined, 10_000);
  return driver.evaluate(() => window.__downloads[0]);
}

/**
 * Runs the core flows: open by ?url=, by the file picker, expand/collapse, search, select (by name and by a real
 * click on the canvas), pan and zoom with the mouse, theme, PNG and SVG export. `expectRenderer` is the
 * state().renderer the run must show ('Canvas2D' without WebGL).
 */
export async function runCoreFlows({ test, assert, driver, server, samplePath, expectRenderer, label }) {
  const state = () => driver.evaluate(() => window.strata.state());
  const settled = () =>
    driver
      .waitFor(
        () => {
          const s = window.strata?.state();
          return !!s && (s.status === 'ready' || s.status === 'error') && !s.busy && !s.rendererPending;
        },
        undefined,
        120_000,
      )
      .then(state);

  await test(`${label}: opens the sample via ?url= with the ${expectRenderer} renderer`, async () => {
    await driver.goto(`${server.url}?url=${encodeURIComponent(server.modelUrl)}`);
    const s = await settled();
    assert(s.status === 'ready', `status ${s.status} ${s.error ?? ''}`);
    assert(s.nodes > 0 && s.visibleNodes > 0, `nodes ${s.nodes} visible ${s.visibleNodes}`);
    assert(s.renderer === expectRenderer, `renderer ${s.renderer}`);
    assert(s.sharedColumns === true, 'the served page is cross-origin isolated, yet its columns are not shared');
    assert(s.timings.readyAtMs > 0, 'no readyAtMs');
    const colors = await canvasColors(driver);
    assert(colors > 5, `canvas looks blank (${colors} colours)`);
    if (expectRenderer === 'Canvas2D') {
      await driver.waitFor(
        () => /drawing without WebGL \(slower\)/.test(document.querySelector('.statusbar')?.textContent ?? ''),
        undefined,
        5000,
      );
    }
  });

  await test(`${label}: collapse all, expand one group, expand all`, async () => {
    let s = await driver.evaluate(() => window.strata.collapseAll());
    assert(s.expanded === 0, `expanded ${s.expanded} after collapseAll`);
    const path = await driver.evaluate(() => {
      const h = window.__strataDebug.controller.model.hierarchy;
      for (let g = 1; g < h.groupCount; g++) if (h.groupParent[g] === 0 && h.groupSize[g] > 1) return h.groupPath[g];
      return null;
    });
    assert(path !== null, 'sample has no top-level group');
    s = await driver.evaluate((p) => window.strata.expand(p), path);
    assert(s.expanded >= 1, `expanded ${s.expanded} after expand(${path})`);
    s = await driver.evaluate(() => window.strata.expandAll());
    assert(s.expanded > 1 && s.visibleNodes > 0, `expandAll: ${s.expanded} expanded`);
    assert((await canvasColors(driver)) > 5, 'blank after expandAll');
  });

  await test(`${label}: search and select`, async () => {
    const matches = await driver.evaluate(() => window.strata.search('MatMul'));
    assert(Array.isArray(matches) && matches.length > 0, 'no MatMul matches');
    const name = matches[0].name;
    const sel = await driver.evaluate((n) => window.strata.select(n), name);
    assert(sel && sel.name === name, `select returned ${JSON.stringify(sel)}`);
    const s = await state();
    assert(s.selected === name, `selected ${s.selected}`);
    const title = await driver.evaluate(() => document.querySelector('.props-title')?.textContent ?? '');
    assert(title.length > 0, 'properties panel empty');
  });

  await test(`${label}: a click on an operator selects it (canvas hit-testing)`, async () => {
    await driver.evaluate(() => window.strata.select('definitely-not-a-node'));
    const p = await nodeOnScreen(driver);
    assert(p, 'no operator on screen');
    await driver.click(p.x, p.y);
    await driver.waitFor(() => window.strata.state().selected !== null, undefined, 5000);
  });

  await test(`${label}: drag pans and the wheel zooms`, async () => {
    await driver.evaluate(() => window.strata.fit());
    const c0 = (await state()).camera;
    await driver.drag(400, 400, 120, 80);
    // Let the drag's inertia run out before reading where it ended.
    await driver.evaluate(() => new Promise((r) => setTimeout(r, 1200)));
    await driver.evaluate(() => window.strata.camera());
    const c1 = (await state()).camera;
    assert(Math.abs(c1.x - c0.x) + Math.abs(c1.y - c0.y) > 1e-6, `drag did not pan: ${JSON.stringify([c0, c1])}`);
    // Zoom in over an operator, so the zoomed view still shows it.
    const p = await nodeOnScreen(driver);
    assert(p, `no operator on screen after the drag: ${JSON.stringify([c0, c1])}`);
    await driver.wheel(p.x, p.y, -400);
    await driver.waitFor((z) => window.strata.state().camera.zoom > z * 1.05, c1.zoom, 5000);
    await driver.evaluate(() => window.strata.camera());
    const s = await state();
    const colors = await canvasColors(driver);
    assert(
      colors > 5,
      `blank after zoom (${colors} colours; zoom ${c1.zoom} → ${s.camera.zoom}, ${s.visibleNodes} visible)`,
    );
  });

  await test(`${label}: a drag handled in one burst glides a little and never takes the graph off screen`, async () => {
    await driver.evaluate(() => window.strata.fit());
    const c0 = (await state()).camera;
    // A busy page handles a slow drag's pointer moves in one burst just before the release; measured over that
    // burst the release speed is enormous. Synthetic events in one task reproduce it exactly.
    await driver.evaluate(() => {
      const canvas = document.querySelector('canvas.graph-canvas');
      const r = canvas.getBoundingClientRect();
      const at = (type, dx, dy) =>
        canvas.dispatchEvent(
          new PointerEvent(type, {
            bubbles: true,
            cancelable: true,
            composed: true,
            pointerId: 1,
            pointerType: 'mouse',
            isPrimary: true,
            button: 0,
            buttons: type === 'pointerup' ? 0 : 1,
            clientX: r.left + 300 + dx,
            clientY: r.top + 300 + dy,
          }),
        );
      at('pointerdown', 0, 0);
      for (let i = 1; i <= 8; i++) at('pointermove', i * 15, i * 10);
      at('pointerup', 120, 80);
    });
    await driver.evaluate(() => new Promise((r) => setTimeout(r, 1500)));
    await driver.evaluate(() => window.strata.camera());
    const c1 = (await state()).camera;
    // The drag moved the view 120×80 px; the glide after it adds at most a few hundred pixels.
    const movedPx = Math.hypot(c1.x - c0.x, c1.y - c0.y) * c0.zoom;
    assert(movedPx > 100 && movedPx < 1000, `moved ${movedPx.toFixed(0)} px: ${JSON.stringify([c0, c1])}`);
    assert(await nodeOnScreen(driver), 'no operator on screen after the drag');
  });

  await test(`${label}: however far the view is flung, the graph stays on screen`, async () => {
    await driver.evaluate(() => window.strata.fit());
    await driver.evaluate(() => {
      const glide = window.__strataDebug.scene.viewport.plugins.get('decelerate');
      glide.activate({ x: 400, y: -300 });
      // As a release does; activate() alone would glide on from where the last release's glide ended.
      glide.timeSinceRelease = 0;
      // The idle page has stopped its tickers; pointer input starts them again.
      document.querySelector('canvas.graph-canvas').dispatchEvent(new PointerEvent('pointermove', { bubbles: true }));
    });
    await driver.evaluate(() => new Promise((r) => setTimeout(r, 1500)));
    await driver.evaluate(() => window.strata.camera());
    const covered = await driver.evaluate(() => {
      const scene = window.__strataDebug.scene;
      const b = scene.culler.index.bounds;
      const r = document.querySelector('canvas.graph-canvas').getBoundingClientRect();
      const a = scene.toScreen(b.minX, b.minY);
      const z = scene.toScreen(b.maxX, b.maxY);
      const w = Math.min(z.sx, r.width) - Math.max(a.sx, 0);
      const h = Math.min(z.sy, r.height) - Math.max(a.sy, 0);
      return { w, h, needW: Math.min(z.sx - a.sx, r.width * 0.25), needH: Math.min(z.sy - a.sy, r.height * 0.25) };
    });
    assert(
      covered.w >= covered.needW - 1 && covered.h >= covered.needH - 1,
      `graph left the screen: ${JSON.stringify(covered)}`,
    );
    assert(await nodeOnScreen(driver), 'no operator on screen after the fling');
  });

  await test(`${label}: theme toggle redraws in the other theme`, async () => {
    await driver.evaluate(() => window.strata.fit());
    const before = await driver.evaluate(() => document.documentElement.dataset.theme);
    await driver.clickSelector('button.theme');
    await driver.evaluate(() => window.strata.camera());
    const after = await driver.evaluate(() => document.documentElement.dataset.theme);
    assert(before !== after, 'theme did not change');
    assert((await canvasColors(driver)) > 5, 'blank after theme change');
    await driver.clickSelector('button.theme');
  });

  await test(`${label}: PNG and SVG export`, async () => {
    const png = await captureDownload(driver, () => driver.clickSelector('button.export-png'));
    assert(png.size > 1000 && png.bytes[1] === 0x50 && png.bytes[2] === 0x4e, `png ${png.size} bytes`);
    const svg = await captureDownload(driver, () => driver.clickSelector('button.export-svg'));
    const head = String.fromCharCode(...svg.bytes);
    assert(svg.size > 200 && head.startsWith('<svg'), `svg: ${head}`);
  });

  await test(`${label}: the file picker opens a model`, async () => {
    await driver.upload('input[type=file]', samplePath);
    await driver.waitFor(() => ['loading', 'ready'].includes(window.strata.state().status), undefined, 30_000);
    const s = await settled();
    assert(s.status === 'ready' && s.nodes > 0, `status ${s.status} ${s.error ?? ''}`);
    assert((await canvasColors(driver)) > 5, 'blank after opening from the picker');
  });
}
