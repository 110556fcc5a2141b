// End-to-end cases for issue 13 (polish of what a user touches), driven by real mouse and keyboard input: search
// ranking, key zoom, narrow windows, minimap, colour scales, errors, load progress, export and the small things.
// Run by the main suite: `await runPolish({ test, assert, page, browser, serve, collect, track })` in run.js.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openPage, repoRoot, waitSettled } from './browser.js';

const models = resolve(repoRoot, '../shared/models');
const OCR = resolve(models, 'onnx/ch_PP-OCRv4_det_infer.onnx');
const SAMPLE = resolve(repoRoot, 'samples/gpt-tiny.onnx');
const OUT = resolve(repoRoot, 'test-results/e2e');
const TMP = resolve(repoRoot, 'test-results/polish-inputs');
const state = (page) => page.evaluate(() => window.strata.state());

/** Waits until the page is ready and the camera has landed (status `moving` while it flies). */
async function settled(page, timeout = 30_000) {
  await page.waitForFunction(
    () => {
      const s = window.strata.state();
      return (s.status === 'ready' || s.status === 'error') && !s.busy && !s.rendererPending;
    },
    undefined,
    { timeout, polling: 50 },
  );
  return state(page);
}

/** Records status and camera on every animation frame until `window.__stopRec()` is called. */
function startRecording(page) {
  return page.evaluate(() => {
    window.__rec = [];
    let on = true;
    window.__stopRec = () => {
      on = false;
      return window.__rec;
    };
    const tick = () => {
      if (!on) return;
      const s = window.strata.state();
      window.__rec.push({ t: performance.now(), status: s.status, x: s.camera.x, y: s.camera.y, zoom: s.camera.zoom });
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** Client coordinates of a layout point. */
function layoutToClient(page, x, y) {
  return page.evaluate(
    ([lx, ly]) => {
      const sc = window.__strataDebug.scene;
      const r = sc.app.canvas.getBoundingClientRect();
      const p = sc.toScreen(lx, ly);
      return { x: r.left + p.sx, y: r.top + p.sy };
    },
    [x, y],
  );
}

function inputs() {
  mkdirSync(TMP, { recursive: true });
  const garbage = resolve(TMP, 'garbage.onnx');
  writeFileSync(garbage, readFileSync(resolve(repoRoot, 'README.md')));
  const trunc = resolve(TMP, 'ch_PP-OCRv4_truncated.onnx');
  writeFileSync(trunc, readFileSync(OCR).subarray(0, 300_000));
  return { garbage, trunc };
}

export async function run({ test, assert, browser, serve, collect, track }) {
  const files = inputs();
  const sampleSrv = await serve(SAMPLE);
  const ocrSrv = await serve(OCR);

  // ------------------------------------------------------------------------------------------ search (PP-OCR)
  const ocr = await openPage(browser, ocrSrv.url, {
    modelUrl: ocrSrv.modelUrl,
    log: collect('polish-ocr'),
    onRequest: track,
  });
  await waitSettled(ocr);

  await test('polish: search ranks op types first, groups results by kind, Enter flies to a Conv (PP-OCR)', async () => {
    await ocr.mouse.click(300, 400);
    await ocr.keyboard.press('/');
    await ocr.keyboard.type('Conv');
    await ocr.waitForSelector('.search.open .search-item');
    const list = await ocr.evaluate(() => ({
      groups: Array.from(document.querySelectorAll('.search-group')).map((g) => g.textContent),
      first: Array.from(document.querySelectorAll('.search-item'))
        .slice(0, 5)
        .map((i) => i.querySelector('.search-op').textContent),
    }));
    assert(/^Operators · \d+/.test(list.groups[0] ?? ''), `first group ${JSON.stringify(list.groups)}`);
    assert(
      list.groups.some((g) => /^Tensors · \d+/.test(g)),
      `no tensor group: ${JSON.stringify(list.groups)}`,
    );
    assert(
      list.first.every((op) => op === 'Conv'),
      `first rows ${list.first}`,
    );
    await ocr.screenshot({ path: resolve(OUT, 'polish-search-list.png') });
    await startRecording(ocr);
    await ocr.keyboard.press('Enter');
    await ocr.waitForFunction(() => window.strata.state().selected !== null, undefined, { timeout: 20_000 });
    const s = await settled(ocr);
    const rec = await ocr.evaluate(() => window.__stopRec());
    assert(
      /Conv/.test(await ocr.evaluate(() => document.querySelector('.sidebar .props-op')?.textContent ?? '')),
      'selected node is not a Conv',
    );
    const sel = await ocr.evaluate(() => {
      const c = window.__strataDebug.controller;
      return c.model.nodeOp(c.selectedNode);
    });
    assert(sel === 'Conv', `Enter selected a ${sel}`);
    // The camera moved, the state said `moving` while it did, and it moved from the first frame of the flight on.
    const first = rec[0];
    const movedAt = rec.findIndex(
      (r) => Math.abs(r.x - first.x) + Math.abs(r.y - first.y) > 1e-6 || r.zoom !== first.zoom,
    );
    assert(movedAt >= 0, 'the camera never moved');
    const movingAt = rec.findIndex((r) => r.status === 'moving');
    assert(movingAt >= 0 && movingAt <= movedAt + 1, `no 'moving' state (moving at ${movingAt}, moved at ${movedAt})`);
    const firstReady = rec.findIndex((r, i) => i > movingAt && r.status === 'ready');
    const landed = rec[rec.length - 1];
    if (firstReady >= 0) {
      const r = rec[firstReady];
      assert(
        Math.abs(r.x - landed.x) < 1e-3 && Math.abs(r.y - landed.y) < 1e-3 && Math.abs(r.zoom - landed.zoom) < 1e-6,
        'ready before the camera landed',
      );
    }
    const step = rec
      .slice(movingAt, movingAt + 3)
      .some((r, i, a) => i > 0 && (r.x !== a[i - 1].x || r.y !== a[i - 1].y || r.zoom !== a[i - 1].zoom));
    assert(step, 'no motion in the first frames of the flight');
    assert(s.status === 'ready', `status ${s.status}`);
    await ocr.screenshot({ path: resolve(OUT, 'polish-search-picked.png') });
  });

  await test('polish: long symbolic shapes wrap in the panel and keep the full text on hover (PP-OCR)', async () => {
    const r = await ocr.evaluate(() =>
      Array.from(document.querySelectorAll('.sidebar .value-type, .sidebar .value-name')).map((e) => ({
        text: e.textContent,
        title: e.title,
        overflow: e.scrollWidth - e.clientWidth,
      })),
    );
    assert(r.length > 0, 'no values listed');
    const long = r.find((x) => /DynamicDimension/.test(x.text));
    assert(long, `no symbolic shape: ${JSON.stringify(r.slice(0, 3))}`);
    assert(
      r.every((x) => x.overflow <= 1),
      `cut off: ${JSON.stringify(r.filter((x) => x.overflow > 1))}`,
    );
    assert(
      r.every((x) => x.title === x.text),
      'full text not on hover',
    );
  });
  await ocr.close();

  // ------------------------------------------------------------------------------------------ gpt-tiny
  const page = await openPage(browser, sampleSrv.url, {
    modelUrl: sampleSrv.modelUrl,
    log: collect('polish-sample'),
    onRequest: track,
  });
  await waitSettled(page);
  await page.waitForFunction(() => window.strata.state().metrics !== null, undefined, { timeout: 60_000 });

  await test('polish: + and - compose (three quick presses zoom 1.5³) and a held key repeats smoothly', async () => {
    await page.evaluate(() => window.strata.fit());
    await page.mouse.move(600, 400);
    const z0 = (await state(page)).camera.zoom;
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    const z1 = (await settled(page)).camera.zoom;
    assert(Math.abs(z1 / z0 / 3.375 - 1) < 0.03, `+++ zoomed ${(z1 / z0).toFixed(3)}× (want 3.375)`);
    for (let i = 0; i < 3; i++) await page.keyboard.press('-');
    const z2 = (await settled(page)).camera.zoom;
    assert(Math.abs(z2 / z0 - 1) < 0.03, `--- came back to ${(z2 / z0).toFixed(3)}× (want 1)`);
    // Held: one press, then auto-repeats (keyboard.down again without up sets repeat), each a small step.
    await page.keyboard.down('=');
    await settled(page);
    await startRecording(page);
    for (let i = 0; i < 10; i++) {
      await page.waitForTimeout(35);
      await page.keyboard.down('=');
    }
    await page.keyboard.up('=');
    const z3 = (await settled(page)).camera.zoom;
    const rec = await page.evaluate(() => window.__stopRec());
    const want = 1.5 * 1.08 ** 10;
    assert(Math.abs(z3 / z2 / want - 1) < 0.05, `held key zoomed ${(z3 / z2).toFixed(3)}× (want ${want.toFixed(3)})`);
    const zooms = rec.map((r) => r.zoom);
    let worst = 1;
    for (let i = 1; i < zooms.length; i++) {
      assert(zooms[i] >= zooms[i - 1] - 1e-9, 'held zoom went backwards');
      worst = Math.max(worst, zooms[i] / zooms[i - 1]);
    }
    assert(worst < 1.5, `held zoom jumped ${worst.toFixed(3)}× in one frame`);
    await page.keyboard.press('f');
    await settled(page);
  });

  await test('polish: minimap rectangle stays on the minimap when the graph fits; clicks move only as far as the content allows', async () => {
    await page.evaluate(() => window.strata.fit());
    const fit = await page.evaluate(() => {
      const sc = window.__strataDebug.scene;
      const r = sc.minimap.viewRectOnMap(sc.viewRect());
      return { r, w: sc.minimap.width, h: sc.minimap.height };
    });
    assert(
      fit.r.x >= 0 && fit.r.y >= 0 && fit.r.x + fit.r.w <= fit.w && fit.r.y + fit.r.h <= fit.h,
      `rect ${JSON.stringify(fit)}`,
    );
    const box = await page.locator('canvas.minimap').boundingBox();
    const before = await state(page);
    await page.mouse.click(box.x + 8, box.y + 8);
    const after = await settled(page);
    assert(
      Math.hypot(after.camera.x - before.camera.x, after.camera.y - before.camera.y) * after.camera.zoom < 2,
      'a click moved a view that already shows everything',
    );
    await page.screenshot({ path: resolve(OUT, 'polish-minimap-fit.png') });
    // Zoomed in: a click in the far corner brings the view to the content's corner, not past it.
    await page.evaluate(() => window.strata.camera({ zoom: window.strata.state().camera.zoom * 4 }));
    await page.mouse.click(box.x + box.width - 3, box.y + box.height - 3);
    const edge = await page.evaluate(() => {
      const sc = window.__strataDebug.scene;
      return { v: sc.viewRect(), b: sc.culler.index.bounds };
    });
    const eps = 1e-3 * (edge.b.maxX - edge.b.minX);
    const wide = edge.v.maxX - edge.v.minX >= edge.b.maxX - edge.b.minX;
    const tall = edge.v.maxY - edge.v.minY >= edge.b.maxY - edge.b.minY;
    assert(
      wide || (edge.v.maxX <= edge.b.maxX + eps && edge.v.minX >= edge.b.minX - eps),
      `view left the content horizontally ${JSON.stringify(edge)}`,
    );
    assert(
      tall || (edge.v.maxY <= edge.b.maxY + eps && edge.v.minY >= edge.b.minY - eps),
      `view left the content vertically ${JSON.stringify(edge)}`,
    );
    await page.keyboard.press('f');
    await settled(page);
  });

  await test('polish: colour by FLOPs puts groups and operators on one scale by default; "own scale" is an option the legend names', async () => {
    await page.evaluate(() => window.strata.collapseAll());
    await page.selectOption('select.colour-by', 'flops');
    await page.waitForSelector('.legend:not([hidden])');
    const check = () =>
      page.evaluate(() => {
        const { scene, profiling } = window.__strataDebug;
        const heat = scene.heat;
        const lum = (c) => (c & 255) + ((c >>> 8) & 255) + ((c >>> 16) & 255) + ((c >>> 24) & 255) - 255;
        const nf = profiling.metrics.flops;
        const unknown = profiling.metrics.unknownCost;
        const gf = profiling.groups.flops;
        let violations = 0;
        let pairs = 0;
        for (let g = 1; g < gf.length; g++) {
          if (!(gf[g] > 0)) continue;
          for (let n = 0; n < nf.length; n++) {
            if (!(nf[n] > 0) || unknown[n] || !(gf[g] > nf[n])) continue;
            pairs++;
            if (lum(heat.groupFill[g]) > lum(heat.nodeFill[n]) + 3) violations++;
          }
        }
        return { violations, pairs, legend: document.querySelector('.legend').textContent };
      });
    const shared = await check();
    assert(
      shared.pairs > 0 && shared.violations === 0,
      `shared scale: ${shared.violations} of ${shared.pairs} group/op pairs coloured against their values`,
    );
    assert(/one scale: operators and groups/.test(shared.legend), `legend: ${shared.legend}`);
    await page.screenshot({ path: resolve(OUT, 'polish-colour-flops.png') });
    await page.click('.legend-own-scale');
    const own = await check();
    assert(/groups on their own scale: /.test(own.legend), `own-scale legend: ${own.legend}`);
    await page.click('.legend-own-scale');
    await page.selectOption('select.colour-by', 'category');
  });

  await test('polish: the hover tooltip hides on wheel zoom, drag and double-click', async () => {
    await page.evaluate(() => window.strata.fit());
    const target = await page.evaluate(() => {
      const sc = window.__strataDebug.scene;
      const L = sc.layout;
      for (let b = 0; b < L.boxCount; b++) {
        if (L.boxKind[b] === 2) continue;
        const r = sc.app.canvas.getBoundingClientRect();
        const p = sc.toScreen(L.boxX[b] + L.boxW[b] / 2, L.boxY[b] + L.boxH[b] / 2);
        if (p.sx > 40 && p.sy > 40 && p.sx < r.width - 260 && p.sy < r.height - 200)
          return { x: r.left + p.sx, y: r.top + p.sy };
      }
      return null;
    });
    assert(target, 'no box to hover');
    const tipShown = () => page.evaluate(() => !document.querySelector('.tooltip').hidden);
    const hover = async () => {
      await page.mouse.move(target.x - 2, target.y);
      await page.mouse.move(target.x, target.y);
      await page.waitForFunction(() => !document.querySelector('.tooltip').hidden, undefined, { timeout: 5000 });
    };
    await hover();
    await page.mouse.wheel(0, -120);
    assert(!(await tipShown()), 'tooltip stayed up after a wheel zoom');
    await settled(page);
    await page.evaluate(() => window.strata.fit());
    await hover();
    await page.mouse.down();
    await page.mouse.move(target.x + 30, target.y + 20, { steps: 3 });
    await page.mouse.up();
    assert(!(await tipShown()), 'tooltip stayed up after a drag');
    await page.evaluate(() => window.strata.fit());
    await hover();
    await page.mouse.dblclick(target.x, target.y);
    assert(!(await tipShown()), 'tooltip stayed up after a double-click');
    await settled(page);
  });

  await test("polish: double-click on an expanded group's empty area or title zooms to the group, not a node", async () => {
    await page.evaluate(() => window.strata.collapseAll());
    await page.evaluate(() => window.strata.expand('h.0'));
    await page.evaluate(() => window.strata.fit());
    await page.keyboard.press('Escape');
    const spots = await page.evaluate(() => {
      const { scene: sc, controller: c } = window.__strataDebug;
      const L = sc.layout;
      const g = c.model.groupOfPath('h.0');
      const f = L.groupBox[g];
      // An empty point inside the frame: scan a grid for a point whose hit is the frame itself.
      let empty = null;
      for (let i = 1; i < 20 && !empty; i++) {
        for (let j = 2; j < 20 && !empty; j++) {
          const x = L.boxX[f] + (L.boxW[f] * i) / 20;
          const y = L.boxY[f] + (L.boxH[f] * j) / 20;
          if (sc.culler.index.hitTest(x, y) === f) empty = { x, y };
        }
      }
      const cx = L.boxX[f] + L.boxW[f] / 2;
      return {
        empty,
        title: { x: cx, y: L.boxY[f] + 2 / sc.viewport.scale.x },
        centre: { x: cx, y: L.boxY[f] + L.boxH[f] / 2 },
      };
    });
    assert(spots.empty, 'no empty spot in the frame');
    for (const [what, spot] of [
      ['empty area', spots.empty],
      ['title', spots.title],
    ]) {
      await page.evaluate(() => window.strata.fit());
      const p = await layoutToClient(page, spot.x, spot.y);
      await page.mouse.dblclick(p.x, p.y);
      await page.waitForTimeout(100);
      const s = await settled(page);
      assert(s.selected === null, `${what}: double-click selected ${s.selected}`);
      const off = Math.hypot(s.camera.x - spots.centre.x, s.camera.y - spots.centre.y) * s.camera.zoom;
      assert(off < 30, `${what}: camera ${off.toFixed(0)} px from the group's centre`);
    }
    await page.screenshot({ path: resolve(OUT, 'polish-dblclick-group.png') });
  });

  await test('polish: "Show values" becomes "Hide values" and hides them again', async () => {
    // A node with a stored constant input, found by name and picked through the search box.
    const name = await page.evaluate(() => {
      const { model } = window.__strataDebug.controller;
      const ir = model.ir;
      for (let n = 0; n < ir.nodeCount; n++) {
        for (let i = ir.nodeInputOffsets[n]; i < ir.nodeInputOffsets[n + 1]; i++) {
          const v = ir.nodeInputs[i];
          if (v >= 0 && ir.valueFlags[v] & 1 && ir.valueDataLength[v] > 0 && model.nodeName(n))
            return model.nodeName(n);
        }
      }
      return null;
    });
    assert(name, 'no node with a stored constant');
    await page.keyboard.press('/');
    await page.keyboard.type(name);
    await page.waitForSelector('.search.open .search-item');
    await page.keyboard.press('Enter');
    await settled(page);
    const btn = page.locator('.sidebar button.values-toggle').first();
    await btn.click();
    await page.waitForFunction(
      () => /mean/.test(document.querySelector('.sidebar .preview')?.textContent ?? ''),
      undefined,
      { timeout: 10_000 },
    );
    assert((await btn.textContent()) === 'Hide values', `label ${await btn.textContent()}`);
    await btn.click();
    const hidden = await page.evaluate(() => document.querySelector('.sidebar .preview').hidden);
    assert((await btn.textContent()) === 'Show values' && hidden, 'values not hidden');
  });

  await test('polish: edge labels sit beside their edge on a backing drawn above every edge (SVG of the view)', async () => {
    // gpt-tiny records shapes only for its constants: with constants folded into their consumers no labelled edge
    // is left, so show them as nodes for this check.
    await page.evaluate(() => window.strata.showConstants(true));
    await page.evaluate(() => window.strata.collapseAll());
    await page.evaluate(() => window.strata.expand('h.0'));
    const spot = await page.evaluate(() => {
      const { scene: sc, controller: c } = window.__strataDebug;
      const L = sc.layout;
      const f = L.groupBox[c.model.groupOfPath('h.0')];
      return { x: L.boxX[f] + L.boxW[f] / 2, y: L.boxY[f] + L.boxH[f] / 3 };
    });
    await page.evaluate((p) => window.strata.camera({ x: p.x, y: p.y, zoom: 2.2 }), spot);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('button.export-svg')]);
    const svg = readFileSync(await dl.path(), 'utf8');
    writeFileSync(resolve(OUT, 'polish-view.svg'), svg);
    const r = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const groups = Array.from(doc.documentElement.children).filter((e) => e.tagName === 'g');
      const labels = Array.from(doc.querySelectorAll('text')).filter((t) =>
        /^(\d+|\?|[a-z]\w*)(×(\d+|\?|[a-z]\w*))+$|^scalar$/.test(t.textContent),
      );
      const edgesAt = groups.findIndex((g) => g.querySelector('polyline'));
      // Backings drawn after (above) the edges.
      const rects = groups.slice(edgesAt + 1).flatMap((g) => Array.from(g.querySelectorAll('rect')));
      let backed = 0;
      for (const t of labels) {
        const x = Number(t.getAttribute('x'));
        const y = Number(t.getAttribute('y'));
        const bk = rects.find((rc) => {
          const rx = Number(rc.getAttribute('x'));
          const ry = Number(rc.getAttribute('y'));
          return (
            x >= rx - 0.01 &&
            x <= rx + Number(rc.getAttribute('width')) + 0.01 &&
            y >= ry - 1 &&
            y <= ry + Number(rc.getAttribute('height')) + 1
          );
        });
        if (bk && groups.indexOf(bk.parentElement) > edgesAt) backed++;
      }
      return { labels: labels.length, backed, arrows: doc.querySelectorAll('polygon').length };
    }, svg);
    assert(r.labels > 0, 'no edge labels in the view');
    assert(
      r.backed === r.labels,
      `${r.labels - r.backed} of ${r.labels} edge labels without a backing above the edges`,
    );
    assert(r.arrows > 0, 'SVG has no arrowheads');
    await page.evaluate(() => window.strata.showConstants(false));
  });

  await test('polish: PNG and SVG export the whole graph at its current expansion, at a readable size', async () => {
    await page.evaluate(() => window.strata.camera({ zoom: 3 }));
    const s = await state(page);
    await page.click('button.export-whole');
    const [svgDl] = await Promise.all([page.waitForEvent('download'), page.click('button.export-svg')]);
    const svg = readFileSync(await svgDl.path(), 'utf8');
    const [pngDl] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      page.click('button.export-png'),
    ]);
    const png = readFileSync(await pngDl.path());
    await page.click('button.export-whole');
    writeFileSync(resolve(OUT, 'polish-whole.svg'), svg);
    writeFileSync(resolve(OUT, 'polish-whole.png'), png);
    const nodesInSvg = (svg.match(/<rect/g) ?? []).length;
    assert(
      nodesInSvg >= s.boxes,
      `whole SVG has ${nodesInSvg} rects for ${s.boxes} boxes (${s.visibleNodes} on screen)`,
    );
    assert((svg.match(/<polygon/g) ?? []).length > 0, 'whole SVG has no arrowheads');
    assert(png[1] === 0x50, 'not a PNG');
    const w = png.readUInt32BE(16);
    const h = png.readUInt32BE(20);
    assert(Math.max(w, h) > 1200 && w <= 16384 && h <= 16384, `whole PNG ${w}×${h}`);
    assert(new RegExp(`width="${w}" height="${h}"`).test(svg), 'PNG and SVG differ in size');
    // Labels readable: the whole-graph drawing uses the tier with names and shapes.
    assert(/font-size="(1[0-9]|[2-9][0-9])/.test(svg), 'labels too small to read');
  });

  await test('polish: a failed open says what is wrong in plain words, keeps the open model, and the detail is one click away', async () => {
    const before = await state(page);
    await page.setInputFiles('input[type=file]', files.garbage);
    let s = await waitSettled(page);
    assert(s.status === 'error' && /garbage\.onnx: not an ONNX model/.test(s.error), `garbage: ${s.error}`);
    assert(/wire type/.test(s.errorDetail ?? ''), `detail ${s.errorDetail}`);
    const status = await page.evaluate(() => document.querySelector('.statusbar').textContent);
    assert(!status.includes(s.renderer) && /Could not open/.test(status), `status bar: ${status}`);
    await page.click('.error-details summary');
    const detail = await page.evaluate(() => document.querySelector('.error-details pre').textContent);
    assert(/wire type/.test(detail), `detail shown: ${detail}`);
    await page.click('.error-panel button.secondary');
    s = await state(page);
    assert(
      s.status === 'ready' && s.file === before.file && s.nodes === before.nodes,
      `previous model not kept: ${s.status} ${s.file}`,
    );
    await page.setInputFiles('input[type=file]', files.trunc);
    s = await waitSettled(page);
    assert(
      s.error ===
        'ch_PP-OCRv4_truncated.onnx: the file ends early (read 300 KB of at least 4.7 MB): it may be incomplete',
      `truncated: ${s.error}`,
    );
    await page.screenshot({ path: resolve(OUT, 'polish-error.png') });
    await page.click('.error-panel button.secondary');
    // The CLI keeps its one clear stderr line.
    const cli = spawnSync(process.execPath, [resolve(repoRoot, 'bin/strata.js'), 'inspect', files.trunc], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const lines = cli.stderr
      .trim()
      .split('\n')
      .filter((l) => !/^npm warn/.test(l));
    assert(
      cli.status !== 0 && lines.length === 1 && /ch_PP-OCRv4_truncated\.onnx/.test(lines[0]),
      `cli: ${cli.status} ${cli.stderr}`,
    );
  });

  await test('polish: profile tables sort naturally (h.2 before h.10)', async () => {
    const model = resolve(repoRoot, '.cache/models/gpt_12L_16d.onnx');
    try {
      readFileSync(model);
    } catch {
      execFileSync('/usr/bin/python3', ['/work/shared/scripts/gen_gpt_onnx.py', '12', '16', model], {
        stdio: 'pipe',
        timeout: 300_000,
      });
    }
    await page.setInputFiles('input[type=file]', model);
    await page.waitForFunction(() => window.strata.state().file === 'gpt_12L_16d.onnx');
    await waitSettled(page);
    await page.waitForFunction(() => window.strata.state().metrics !== null, undefined, { timeout: 60_000 });
    await page.click('button.profile-toggle');
    await page.waitForSelector('.profile-panel tbody tr');
    await page.click('.profile-table th[data-column=label]');
    const labels = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.profile-panel tbody tr')).map((tr) => tr.cells[0].textContent),
    );
    const top = labels.filter((l) => /^h\.\d+$/.test(l));
    assert(top.indexOf('h.2') >= 0 && top.indexOf('h.2') < top.indexOf('h.10'), `order ${top.join(',')}`);
    await page.click('button.profile-toggle');
  });
  await page.close();

  // ------------------------------------------------------------------------------------------ narrow window
  await test('polish: at 820 px every control is reachable, the search box is usable, the side panel folds, the minimap keeps to a corner', async () => {
    const p = await openPage(browser, sampleSrv.url, {
      modelUrl: sampleSrv.modelUrl,
      width: 820,
      height: 560,
      log: collect('polish-narrow'),
      onRequest: track,
    });
    try {
      await waitSettled(p);
      const inView = (b) => b && b.x >= 0 && b.y >= 0 && b.x + b.width <= 820 && b.y + b.height <= 560;
      const search = await p.locator('.search-input').boundingBox();
      assert(inView(search) && search.width >= 200, `search box ${JSON.stringify(search)}`);
      const host = await p.locator('.graph-host').boundingBox();
      assert(host.width >= 800, `graph area ${host.width} px wide: the side panel did not fold`);
      await p.screenshot({ path: resolve(OUT, 'polish-narrow.png') });
      await p.click('button.more-toggle');
      for (const sel of [
        'button.expand-all',
        'button.collapse-all',
        'select.colour-by',
        'button.profile-toggle',
        'button.load-profile',
        'button.export-png',
        'button.export-svg',
        'button.export-whole',
        'button.theme',
      ]) {
        const b = await p.locator(sel).boundingBox();
        assert(inView(b), `${sel} unreachable: ${JSON.stringify(b)}`);
      }
      await p.screenshot({ path: resolve(OUT, 'polish-narrow-menu.png') });
      const t0 = await p.evaluate(() => document.documentElement.dataset.theme);
      await p.click('button.theme');
      assert(
        t0 !== (await p.evaluate(() => document.documentElement.dataset.theme)),
        'theme button in the menu did nothing',
      );
      await p.click('button.more-toggle');
      await p.click('button.theme');
      await p.click('button.side-toggle');
      const side = await p.locator('.sidebar:not([hidden])').first().boundingBox();
      assert(inView(side), `side panel ${JSON.stringify(side)}`);
      await p.click('button.side-toggle');
      const map = await p.locator('canvas.minimap').boundingBox();
      assert(
        map.width <= host.width * 0.25 && map.height <= host.height * 0.3,
        `minimap ${map.width}×${map.height} of ${host.width}×${host.height}`,
      );
      await p.mouse.click(400, 300);
      await p.keyboard.press('m');
      assert(!(await p.locator('canvas.minimap').isVisible()), 'm did not hide the minimap');
      await p.click('button.minimap-toggle');
      assert(await p.locator('canvas.minimap').isVisible(), 'the Map button did not bring the minimap back');
    } finally {
      await p.close();
    }
  });

  // ------------------------------------------------------------------------------------------ no model
  await test('polish: controls that need a model are disabled without one', async () => {
    const p = await openPage(browser, sampleSrv.url, { log: collect('polish-empty'), onRequest: track });
    try {
      const enabled = await p.evaluate(() =>
        Array.from(document.querySelectorAll('.toolbar button, .toolbar select'))
          .filter((b) => !b.disabled && !/open|theme|more-toggle|side-toggle/.test(b.className))
          .map((b) => b.className || b.textContent),
      );
      assert(enabled.length === 0, `enabled without a model: ${enabled.join(', ')}`);
    } finally {
      await p.close();
    }
  });

  // ------------------------------------------------------------------------------------------ slow opens
  await test('polish: slow opens show a progress bar with the phase, bytes read and percentage (ONNX, TFLite, OpenVINO)', async () => {
    for (const file of [
      'onnx/ch_PP-OCRv4_det_infer.onnx',
      'tflite/pose_landmark_full.tflite',
      'openvino/face-detection-retail-0005.xml',
    ]) {
      const srv = await serve(resolve(models, file));
      const p = await openPage(browser, srv.url, { log: collect(`polish-progress ${file}`), onRequest: track });
      try {
        // Throttled to a slow link so the open takes seconds.
        const cdp = await p.context().newCDPSession(p);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', {
          offline: false,
          latency: 20,
          downloadThroughput: 1_500_000,
          uploadThroughput: -1,
        });
        await p.evaluate(() => {
          window.__seen = [];
          const poll = setInterval(() => {
            const panel = document.querySelector('.overlay.loading');
            if (panel && !panel.hidden)
              window.__seen.push(
                `${panel.querySelector('.loading-stage').textContent} | ${panel.querySelector('.loading-detail').textContent}`,
              );
          }, 40);
          window.__stopSeen = () => clearInterval(poll);
        });
        const t0 = Date.now();
        await p.evaluate((u) => void window.strata.open(u), srv.modelUrl);
        const s = await waitSettled(p);
        const seen = await p.evaluate(() => {
          window.__stopSeen();
          return window.__seen;
        });
        const ms = Date.now() - t0;
        assert(s.status === 'ready', `${file}: ${s.status} ${s.error ?? ''}`);
        const reading = seen.filter((l) =>
          /^Reading .+ \| read [\d.]+ (B|KB|MB) of [\d.]+ (KB|MB) · \d+% of the file · \d+% overall$/.test(l),
        );
        if (ms > 1000)
          assert(reading.length > 0, `${file} (${ms} ms): no bytes/percent shown: ${JSON.stringify(seen.slice(0, 5))}`);
        if (file.endsWith('.onnx')) await p.screenshot({ path: resolve(OUT, 'polish-progress-done.png') });
        console.log(`      ${file}: ${ms} ms, e.g. "${reading[Math.floor(reading.length / 2)] ?? seen[0]}"`);
      } finally {
        await p.close();
      }
    }
  });
}
