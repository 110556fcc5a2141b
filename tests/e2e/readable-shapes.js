// End-to-end cases for what the analysis adds to the view (issue 12): parameters and FLOPs on collapsed groups,
// inferred shapes on edges and in the properties (told apart from recorded ones), and Core ML arguments bound to
// consts shown by value. Run by the main suite:
// `await runReadableShapes({ test, assert, browser, serve, collect, track })` from tests/e2e/run.js.
import { resolve } from 'node:path';
import { drawnTexts, lookAt, openReadyModel, repoRoot } from './browser.js';

const models = resolve(repoRoot, '../shared/models');

/** Resolves once the analysis (after the first frame) has reached the page. */
const analysed = (page) =>
  page.waitForFunction(() => window.strata.state().metrics != null, undefined, { timeout: 60_000 });

const firstOfOp = (page, op) =>
  page.evaluate((op) => {
    const m = window.__strataDebug.controller.model;
    for (let n = 0; n < m.ir.nodeCount; n++) if (m.nodeOp(n) === op) return m.nodeName(n);
    return '';
  }, op);

const sidebarText = (page) => page.evaluate(() => document.querySelector('.sidebar')?.textContent ?? '');

export async function run({ test, assert, browser, serve, collect, track }) {
  const open = (path, name) => openReadyModel({ assert, browser, serve, collect, track }, path, name);

  let page = await open(resolve(repoRoot, 'samples/gpt-tiny.onnx'), 'gpt-tiny');
  try {
    await test('gpt-tiny: collapsed groups list node count, parameters and FLOPs once analysed', async () => {
      await analysed(page);
      await page.evaluate(() => window.strata.collapseAll());
      // At zoom 1 a collapsed group (44 units tall) has room for its three lines.
      await page.evaluate(() => {
        const { scene: sc, controller: c } = window.__strataDebug;
        const L = sc.layout;
        const b = L.groupBox[c.model.groupOfPath('h.0')];
        return window.strata.camera({ x: L.boxX[b] + L.boxW[b] / 2, y: L.boxY[b] + L.boxH[b] / 2, zoom: 1 });
      });
      const texts = await drawnTexts(page);
      const i = texts.indexOf('h.0');
      assert(i >= 0, `no h.0 label in ${JSON.stringify(texts.slice(0, 20))}`);
      assert(/^\d+ nodes$/.test(texts[i + 1]), `h.0 second line: ${texts[i + 1]}`);
      assert(/^[\d.]+k params · [\d.]+ MFLOPs$/.test(texts[i + 2]), `h.0 third line: ${texts[i + 2]}`);
      const s = await page.evaluate(() => window.strata.state());
      assert(s.visibleOps + s.visibleNodes > 0, 'nothing visible');
    });

    await test('gpt-tiny: untyped MatMul outputs show inferred shapes, on edges (~) and in the properties', async () => {
      await page.evaluate(() => window.strata.expandAll());
      const matmul = await firstOfOp(page, 'MatMul');
      await page.evaluate((n) => window.strata.select(n), matmul);
      await lookAt(page, matmul, 1.6);
      await page.waitForSelector('.sidebar .value-type.inferred', { timeout: 10_000 });
      const inferred = await page.$$eval('.sidebar .value-type.inferred', (els) => els.map((e) => e.textContent));
      assert(
        inferred.some((t) => /^float32\[1,128,\d+\] inferred$/.test(t)),
        `inferred types ${JSON.stringify(inferred)}`,
      );
      // The recorded weight type stays plain.
      const plain = await page.$$eval('.sidebar .value-type:not(.inferred)', (els) => els.map((e) => e.textContent));
      assert(
        plain.some((t) => /^float32\[64,\d+\]$/.test(t)),
        `recorded types ${JSON.stringify(plain)}`,
      );
      assert(!/type not recorded/.test(await sidebarText(page)), 'a tensor still reads "type not recorded"');
      const texts = await drawnTexts(page);
      assert(
        texts.some((t) => /^~1×128×\d+$/.test(t)),
        `no inferred edge label in ${JSON.stringify(texts.slice(0, 30))}`,
      );
    });
  } finally {
    await page.close();
  }

  page = await open(resolve(models, 'onnx/ch_PP-OCRv4_det_infer.onnx'), 'ocr-shapes');
  try {
    await test('PP-OCR: shapes from assumed image sizes say so, and are not drawn on edges', async () => {
      await analysed(page);
      await page.evaluate(() => window.strata.select('p2o.Conv.0'));
      await lookAt(page, 'p2o.Conv.0', 1.4);
      await page.waitForSelector('.sidebar .value-type.inferred', { timeout: 10_000 });
      const inferred = await page.$eval('.sidebar .value-type.inferred', (e) => e.textContent);
      assert(/^float32\[1,16,\d+,\d+\] inferred, assuming p2o\.DynamicDimension/.test(inferred), inferred);
      const texts = await drawnTexts(page);
      assert(!texts.some((t) => t.startsWith('~')), `inferred edge labels: ${texts.filter((t) => t[0] === '~')}`);
    });
  } finally {
    await page.close();
  }

  page = await open(resolve(models, 'tflite/pose_landmark_full.tflite'), 'pose-shapes');
  try {
    await test('TFLite pose: every edge shape is recorded (plain), none inferred', async () => {
      await analysed(page);
      const conv = await firstOfOp(page, 'CONV_2D');
      await lookAt(page, conv, 1.4);
      const texts = await drawnTexts(page);
      assert(
        texts.some((t) => /^1×\d+×\d+×\d+$/.test(t)),
        `no shape label in ${JSON.stringify(texts.slice(0, 30))}`,
      );
      assert(!texts.some((t) => t.startsWith('~')), 'an inferred label where the file records the shape');
    });
  } finally {
    await page.close();
  }

  page = await open(
    resolve(models, 'coreml/superpoint.mlpackage/Data/com.apple.CoreML/model.mlmodel'),
    'superpoint-args',
  );
  try {
    await test('Core ML SuperPoint: conv arguments bound to consts show values, on the box and in the properties', async () => {
      const conv = await firstOfOp(page, 'conv');
      await page.evaluate((n) => window.strata.select(n), conv);
      await page.waitForFunction(
        () => /pad_type/.test(document.querySelector('.sidebar')?.textContent ?? ''),
        undefined,
        {
          timeout: 10_000,
        },
      );
      const rows = await page.$$eval('.sidebar table.kv tr', (trs) =>
        trs.map((tr) => `${tr.querySelector('th')?.textContent}=${tr.querySelector('td')?.textContent}`),
      );
      assert(rows.includes('strides=[1, 1]'), `attributes ${JSON.stringify(rows)}`);
      assert(rows.includes('pad_type="custom"'), `attributes ${JSON.stringify(rows)}`);
      assert(!rows.some((r) => /=var_\d/.test(r)), `variable names left: ${JSON.stringify(rows)}`);
      const box = await page.evaluate((n) => window.strata.nodeBox(n), conv);
      assert(box && box.rows[0] === 'weight ⟨64×1×3×3⟩', `box rows ${JSON.stringify(box?.rows)}`);
      assert(box.rows.includes('pad_type = "custom"'), `box rows ${JSON.stringify(box.rows)}`);
    });
  } finally {
    await page.close();
  }
}
