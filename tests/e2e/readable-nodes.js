// End-to-end cases for what an operator box shows (issue 12, node content): constants folded into their
// consumers as rows, rows drawn and clickable, the toggle back to constants as nodes, ONNX op documentation.
// Run by the main suite: `await runReadableNodes({ test, assert, page, browser, serve, collect, track })`.
import { resolve } from 'node:path';
import { openPage, repoRoot, waitSettled } from './browser.js';

const models = resolve(repoRoot, '../shared/models');
const state = (page) => page.evaluate(() => window.strata.state());

export async function run({ test, assert, browser, serve, collect, track }) {
  const srv = await serve(resolve(models, 'onnx/ch_PP-OCRv4_det_infer.onnx'));
  const page = await openPage(browser, srv.url, {
    modelUrl: srv.modelUrl,
    width: 1400,
    height: 900,
    log: collect('ocr'),
    onRequest: track,
  });
  try {
    await test('PP-OCR: Constant nodes fold into their consumers (330 operator boxes after expandAll + fit)', async () => {
      const s0 = await waitSettled(page);
      assert(s0.status === 'ready' && s0.nodes === 672, `ocr: ${s0.status} ${s0.nodes} ${s0.error ?? ''}`);
      await page.evaluate(() => window.strata.expandAll());
      await page.evaluate(() => window.strata.fit());
      const s = await state(page);
      assert(s.visibleOps === 330, `visibleOps ${s.visibleOps}, want 330 (672 − 342 Constant)`);
    });

    await test('PP-OCR: a Conv box lists W ⟨16×3×3×3⟩ and its strides; Clip lists min = 0, max = 6', async () => {
      const conv = await page.evaluate(() => window.strata.nodeBox('p2o.Conv.0'));
      assert(conv && conv.rows[0] === 'W ⟨16×3×3×3⟩', `Conv rows ${JSON.stringify(conv?.rows)}`);
      assert(conv.rows.includes('strides = [2, 2]'), `Conv rows ${JSON.stringify(conv.rows)}`);
      const clip = await page.evaluate(() => window.strata.nodeBox('p2o.Clip.0'));
      assert(clip && clip.rows.join(';') === 'min = 0;max = 6', `Clip rows ${JSON.stringify(clip?.rows)}`);
    });

    await test('PP-OCR: clicking a row opens its constant; the docs of the op are in the properties', async () => {
      await page.evaluate(() => window.strata.select('p2o.Conv.0'));
      await page.evaluate(() => window.strata.camera({ zoom: 1.5 }));
      await page.waitForFunction(
        () => /Conv documentation/.test(document.querySelector('.sidebar')?.textContent ?? ''),
        undefined,
        { timeout: 10_000 },
      );
      const docs = await page.evaluate(() => document.querySelector('.op-docs-section')?.textContent ?? '');
      assert(
        /since opset/.test(docs) && /kernel_shape/.test(docs) && /\bW\b/.test(docs),
        `docs: ${docs.slice(0, 200)}`,
      );
      const box = await page.evaluate(() => window.strata.nodeBox('p2o.Conv.0'));
      const s = await state(page);
      assert(s.tier === 'full', `tier ${s.tier}`);
      // The first row sits just under the title band (32 layout units), one 13-unit row tall.
      const zoom = s.camera.zoom;
      await page.mouse.click(box.x + box.w / 2, box.y + (32 + 6.5) * zoom);
      await page.waitForFunction(() => document.querySelector('.sidebar')?.dataset.value !== '', undefined, {
        timeout: 5_000,
      });
      const side = await page.evaluate(() => document.querySelector('.sidebar')?.textContent ?? '');
      assert(/conv2d_0\.w_0/.test(side) && /float32\[16,3,3,3\]/.test(side), `constant panel: ${side.slice(0, 200)}`);
    });

    await test('PP-OCR: the toggle shows constants as nodes again, and back', async () => {
      await page.evaluate(() => window.strata.showConstants(true));
      await page.evaluate(() => window.strata.expandAll());
      await page.evaluate(() => window.strata.fit());
      const shown = await state(page);
      assert(shown.visibleOps === 672, `constants shown: visibleOps ${shown.visibleOps}`);
      const pressed = await page.evaluate(() =>
        document.querySelector('.constants-toggle')?.getAttribute('aria-pressed'),
      );
      assert(pressed === 'true', `toggle aria-pressed ${pressed}`);
      await page.click('.constants-toggle');
      await page.waitForFunction(
        () => window.strata.state().visibleOps < 672 && !window.strata.state().busy,
        undefined,
        { timeout: 30_000 },
      );
      await page.evaluate(() => window.strata.expandAll());
      await page.evaluate(() => window.strata.fit());
      const folded = await state(page);
      assert(folded.visibleOps === 330, `folded again: visibleOps ${folded.visibleOps}`);
    });
  } finally {
    await page.close();
  }

  await test('TFLite pose: fused activations in the box title (CONV_2D | RELU6), filter rows', async () => {
    const tsrv = await serve(resolve(models, 'tflite/pose_landmark_full.tflite'));
    const p = await openPage(browser, tsrv.url, { modelUrl: tsrv.modelUrl, log: collect('pose'), onRequest: track });
    try {
      const s = await waitSettled(p);
      assert(s.status === 'ready', `pose: ${s.status} ${s.error ?? ''}`);
      await p.evaluate(() => window.strata.expandAll());
      const conv = await p.evaluate(() => {
        const m = window.strata.search('CONV_2D').find((x) => x.op === 'CONV_2D');
        return m ? window.strata.nodeBox(m.name) : null;
      });
      assert(conv && /^CONV_2D( \| \w+)?$/.test(conv.title), `pose conv title ${conv?.title}`);
      const titles = await p.evaluate(() =>
        window.strata
          .search('CONV_2D')
          .slice(0, 40)
          .map((m) => window.strata.nodeBox(m.name)?.title ?? ''),
      );
      assert(
        titles.some((t) => t === 'CONV_2D | RELU6'),
        `no CONV_2D | RELU6 among ${titles.slice(0, 5).join(', ')}`,
      );
    } finally {
      await p.close();
    }
  });
}
