// End-to-end cases for comparing two models, run by the main suite:
// `await runCompare({ test, assert, page, browser, serve, collect, track })` from tests/e2e/run.js.
// Real pairs: the sample against an edited copy (a node removed, one added, an attribute changed; python onnx via
// tests/helpers/diff_variants.py) and torch exports of a GPT decoder with 4 and 5 layers.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { openPage, repoRoot, startServer, waitSettled } from './browser.js';

const cache = resolve(repoRoot, '.cache/models/diff');
const sample = resolve(repoRoot, 'samples/gpt-tiny.onnx');

function editedSample() {
  mkdirSync(cache, { recursive: true });
  const out = resolve(cache, 'gpt-tiny-edited.onnx');
  if (!existsSync(out))
    execFileSync('/usr/bin/python3', [resolve(repoRoot, 'tests/helpers/diff_variants.py'), 'edit', sample, out], {
      stdio: 'pipe',
      timeout: 120_000,
    });
  return out;
}

/** What `strata diff A B --json` reports for the pair (the same engine, run in Node). */
async function cliCounts(a, b) {
  const { diffFiles } = await tsImport('../../src/cli/diff.ts', import.meta.url);
  const { report } = await diffFiles(a, b);
  return {
    added: report.added.length,
    removed: report.removed.length,
    changed: report.changed.length,
    matched: report.matched,
  };
}

/** Opens `?url=A&compare=B` and waits until the comparison is on screen. */
export async function openComparison(browser, a, b, { log, onRequest, width, height } = {}) {
  const srv = await startServer({ root: resolve(repoRoot, 'dist'), modelPath: a, comparePath: b });
  const url = `${srv.url}?url=${encodeURIComponent(srv.modelUrl)}&compare=${encodeURIComponent(srv.compareUrl)}`;
  const page = await openPage(browser, url, { log, onRequest, width, height });
  await page.waitForFunction(
    () => window.strata.state().diff !== null || window.strata.state().status === 'error',
    undefined,
    { timeout: 120_000, polling: 100 },
  );
  await waitSettled(page);
  return { page, srv };
}

/** RGB of the canvas pixel at a layout point (read back from the WebGL drawing buffer). */
const pixelAt = (page, x, y) =>
  page.evaluate(
    ([lx, ly]) => {
      const sc = window.__strataDebug.scene;
      sc.renderNow();
      const gl = sc.app.renderer.gl;
      const p = sc.toScreen(lx, ly);
      const k = gl.drawingBufferWidth / sc.app.canvas.clientWidth;
      const px = new Uint8Array(4);
      gl.readPixels(
        Math.round(p.sx * k),
        Math.round(gl.drawingBufferHeight - p.sy * k),
        1,
        1,
        gl.RGBA,
        gl.UNSIGNED_BYTE,
        px,
      );
      return [px[0], px[1], px[2]];
    },
    [x, y],
  );

/** A point inside the box of a B node, left of its centred labels. */
const insideBox = (page, node) =>
  page.evaluate((n) => {
    const L = window.__strataDebug.controller.layout;
    const b = L.nodeBox[n];
    return b < 0 ? null : [L.boxX[b] + L.boxW[b] * 0.06, L.boxY[b] + L.boxH[b] * 0.5];
  }, node);

export async function run({ test, assert, browser, collect, track }) {
  const edited = editedSample();
  let page = null;
  let srv = null;

  await test('?url=A&compare=B shows B coloured by the diff; state().diff equals strata diff --json', async () => {
    ({ page, srv } = await openComparison(browser, sample, edited, { log: collect('compare'), onRequest: track }));
    const s = await page.evaluate(() => window.strata.state());
    assert(s.status === 'ready', `status ${s.status} ${s.error ?? ''}`);
    const want = await cliCounts(sample, edited);
    assert(
      JSON.stringify(s.diff) === JSON.stringify(want),
      `state().diff ${JSON.stringify(s.diff)} vs CLI ${JSON.stringify(want)}`,
    );
    assert(s.diff.added === 1 && s.diff.removed === 1 && s.diff.changed >= 1, `edited copy: ${JSON.stringify(s.diff)}`);
    assert(s.file === 'gpt-tiny-edited.onnx', `B is shown: ${s.file}`);
    const panel = await page.evaluate(() => document.querySelector('.diff-panel:not([hidden])')?.textContent ?? '');
    assert(
      /added 1/.test(panel) && /removed 1/.test(panel) && /gpt-tiny\.onnx/.test(panel),
      `panel: ${panel.slice(0, 200)}`,
    );
  });

  await test('compare: an added node is drawn green, an unchanged one dimmed grey; the minimap marks changes', async () => {
    await page.evaluate(() => window.strata.expandAll());
    const nodes = await page.evaluate(() => {
      const c = window.__strataDebug.controller.comparison;
      const added = c.diff.added[0];
      const unchanged = c.diff.statusB.findIndex((st, n) => st === 0 && c.b.nodeOp(n) === 'MatMul');
      return { added, unchanged, addedName: c.b.nodeTitle(added), unchangedName: c.b.nodeTitle(unchanged) };
    });
    const light = (await page.evaluate(() => document.documentElement.dataset.theme)) === 'light';
    await page.evaluate((n) => window.strata.select(n), nodes.addedName);
    const pa = await pixelAt(page, ...(await insideBox(page, nodes.added)));
    await page.evaluate((n) => window.strata.select(n), nodes.unchangedName);
    const pu = await pixelAt(page, ...(await insideBox(page, nodes.unchanged)));
    assert(pa[1] > pa[0] + 30 && pa[1] > pa[2] + 20, `added node pixel not green: ${pa}`);
    const spread = Math.max(...pu) - Math.min(...pu);
    assert(
      spread < 24 && (light ? Math.min(...pu) > 200 : Math.max(...pu) < 60),
      `unchanged node pixel not dimmed grey: ${pu}`,
    );
    const marks = await page.evaluate(() => {
      const c = document.querySelector('canvas.minimap');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let green = 0;
      for (let i = 0; i < d.length; i += 4)
        if (d[i + 1] > d[i] + 40 && d[i + 1] > d[i + 2] + 40 && d[i + 3] > 200) green++;
      return green;
    });
    assert(marks > 0, 'no change marks on the minimap');
    await page.screenshot({ path: resolve(repoRoot, 'test-results/e2e/compare.png') });
  });

  await test('compare: n / p walk the change list, moving the camera and the selection', async () => {
    await page.evaluate(() => window.strata.collapseAll());
    const entries = await page.evaluate(() =>
      window.__strataDebug.controller.comparison.entries.map((e) => ({ kind: e.kind, nodeB: e.nodeB })),
    );
    const titleOf = (n) => page.evaluate((x) => window.__strataDebug.controller.model.nodeTitle(x), n);
    const selectedAfter = async (key) => {
      const before = await page.evaluate(() => window.strata.state().selected);
      await page.keyboard.press(key);
      await page
        .waitForFunction((b) => window.strata.state().selected !== b && !window.strata.state().busy, before, {
          timeout: 30_000,
        })
        .catch(() => {});
      await page.evaluate(() => window.strata.camera());
      return page.evaluate(() => window.strata.state());
    };
    const cam0 = (await page.evaluate(() => window.strata.state())).camera;
    const s1 = await selectedAfter('n');
    assert(
      s1.selected === (await titleOf(entries[0].nodeB)),
      `n: selected ${s1.selected}, want entry 0 (${entries[0].kind})`,
    );
    assert(JSON.stringify(s1.camera) !== JSON.stringify(cam0), 'n did not move the camera');
    const s2 = await selectedAfter('n');
    assert(s2.selected === (await titleOf(entries[1].nodeB)), `n n: selected ${s2.selected}, want entry 1`);
    const s3 = await selectedAfter('p');
    assert(s3.selected === s1.selected, `n n p: selected ${s3.selected}, want ${s1.selected}`);
    const counter = await page.evaluate(() => document.querySelector('.diff-counter')?.textContent);
    assert(counter === `1 / ${entries.length}`, `counter ${counter}`);
  });

  await test('compare: properties show A and B side by side for a changed pair', async () => {
    const name = await page.evaluate(() => {
      const c = window.__strataDebug.controller.comparison;
      const ch = c.diff.changes.find((x) => x.what.some((w) => w.startsWith('attribute')));
      return ch ? c.b.nodeTitle(ch.nodeB) : null;
    });
    assert(name, 'no pair with a changed attribute');
    await page.evaluate((n) => window.strata.select(n), name);
    await page.waitForFunction(
      () => !document.querySelector('.pair-table')?.textContent?.includes('Loading attributes'),
      undefined,
      { timeout: 10_000 },
    );
    const rows = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.pair-table tbody tr'), (tr) => ({
        cells: Array.from(tr.children, (c) => c.textContent),
        differs: tr.classList.contains('differs'),
      })),
    );
    const op = rows.find((r) => r.cells[0] === 'op');
    assert(op && op.cells[1] === op.cells[2] && op.cells[1] === 'Softmax', `op row ${JSON.stringify(op)}`);
    const axis = rows.find((r) => r.cells[0] === 'axis');
    assert(
      axis?.differs && axis.cells[1] !== axis.cells[2],
      `axis row ${JSON.stringify(axis)} in ${JSON.stringify(rows)}`,
    );
    const status = await page.evaluate(() => document.querySelector('.pair-status')?.textContent);
    assert(status === 'Changed', `status ${status}`);
  });
  await page?.close();
  await srv?.close();

  await test('Compare… button: a torch export with 4 layers against 5; counts equal the CLI', async () => {
    const { gptExport } = await tsImport('../helpers/models.ts', import.meta.url);
    const [a, b] = [gptExport(4), gptExport(5)];
    const s4 = await startServer({ root: resolve(repoRoot, 'dist'), modelPath: a });
    const p = await openPage(browser, s4.url, {
      modelUrl: s4.modelUrl,
      log: collect('compare-button'),
      onRequest: track,
    });
    try {
      await waitSettled(p);
      assert(await p.isEnabled('button.compare'), 'Compare… disabled with a model open');
      const chooser = p.waitForEvent('filechooser');
      await p.click('button.compare');
      await (await chooser).setFiles(b);
      await p.waitForFunction(() => window.strata.state().diff !== null || window.strata.state().error, undefined, {
        timeout: 120_000,
      });
      const s = await waitSettled(p);
      const want = await cliCounts(a, b);
      assert(
        JSON.stringify(s.diff) === JSON.stringify(want),
        `state().diff ${JSON.stringify(s.diff)} vs CLI ${JSON.stringify(want)}`,
      );
      assert(s.diff.added > 0 && s.file === 'gpt_5L_16d.onnx', `4 vs 5 layers: ${JSON.stringify(s.diff)} ${s.file}`);
      // A collapsed group holding the new layer carries a badge count.
      const badge = await p.evaluate(() => {
        const c = window.__strataDebug.controller.comparison;
        for (let g = 1; g < c.b.hierarchy.groupCount; g++) if (c.groups.added[g] > 0) return c.b.hierarchy.groupPath[g];
        return null;
      });
      assert(badge, 'no group counts the added layer');
    } finally {
      await p.close();
      await s4.close();
    }
  });
}
