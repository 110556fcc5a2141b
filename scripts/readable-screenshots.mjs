// Screenshots of what issue 12 ("Readable at every size") adds, against the built page (`npm run build` first),
// into test-results/readable/ (not committed): totals on collapsed groups, inferred shapes on edges and in the
// properties, Core ML const arguments by value.
//   node scripts/readable-screenshots.mjs
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { launch, lookAt, openPage, repoRoot, startServer, waitSettled } from '../tests/e2e/browser.js';

const OUT = resolve(repoRoot, 'test-results/readable');
const models = resolve(repoRoot, '../shared/models');
mkdirSync(OUT, { recursive: true });

const analysed = (page) =>
  page.waitForFunction(() => window.__strataDebug?.controller?.model?.groupTotals(1) !== '', undefined, {
    timeout: 60_000,
  });
const shot = async (page, name) => {
  await page.screenshot({ path: resolve(OUT, name) });
  console.log(`  ${name}`);
};

const servers = [];
const serve = async (p) => {
  const s = await startServer({ root: resolve(repoRoot, 'dist'), modelPath: p });
  servers.push(s);
  return s;
};
const browser = await launch();
try {
  const sample = await serve(resolve(repoRoot, 'samples/gpt-tiny.onnx'));
  let page = await openPage(browser, sample.url, { modelUrl: sample.modelUrl, width: 1400, height: 900 });
  await waitSettled(page);
  await analysed(page);
  await page.evaluate(() => window.strata.collapseAll());
  await page.evaluate(() => window.strata.fit());
  await shot(page, 'gpt-collapsed.png');
  // Audit item 20: edges into and out of an expanded block, with no U-turns at its frame.
  await page.evaluate(() => window.strata.expand('h.1'));
  await page.evaluate(() => {
    const { scene: sc, controller: c } = window.__strataDebug;
    const L = sc.layout;
    const b = L.groupBox[c.model.groupOfPath('h.1')];
    return window.strata.camera({ x: L.boxX[b] + L.boxW[b] / 2, y: L.boxY[b] + 300, zoom: 0.9 });
  });
  await shot(page, 'gpt-expand-h1.png');
  await page.evaluate(() => window.strata.expandAll());
  const matmul = await page.evaluate(() => {
    const m = window.__strataDebug.controller.model;
    for (let n = 0; n < m.ir.nodeCount; n++) if (m.nodeOp(n) === 'MatMul') return m.nodeName(n);
    return '';
  });
  await page.evaluate((n) => window.strata.select(n), matmul);
  await lookAt(page, matmul, 1.6);
  await shot(page, 'gpt-matmul-inferred.png');
  await page.close();

  const ocr = await serve(resolve(models, 'onnx/ch_PP-OCRv4_det_infer.onnx'));
  page = await openPage(browser, ocr.url, { modelUrl: ocr.modelUrl, width: 1400, height: 900 });
  await waitSettled(page);
  await analysed(page).catch(() => undefined);
  await page.evaluate(() => window.strata.select('p2o.Conv.0'));
  await lookAt(page, 'p2o.Conv.0', 1.4);
  await shot(page, 'ocr-conv.png');
  await page.close();

  const pose = await serve(resolve(models, 'tflite/pose_landmark_full.tflite'));
  page = await openPage(browser, pose.url, { modelUrl: pose.modelUrl, width: 1400, height: 900 });
  await waitSettled(page);
  await page.evaluate(() => window.strata.collapseAll());
  await page.evaluate(() => window.strata.fit());
  await shot(page, 'pose-collapsed.png');
  await page.close();

  const sp = await serve(resolve(models, 'coreml/superpoint.mlpackage/Data/com.apple.CoreML/model.mlmodel'));
  page = await openPage(browser, sp.url, { modelUrl: sp.modelUrl, width: 1400, height: 900 });
  await waitSettled(page);
  const conv = await page.evaluate(() => {
    const m = window.__strataDebug.controller.model;
    for (let n = 0; n < m.ir.nodeCount; n++) if (m.nodeOp(n) === 'conv') return m.nodeName(n);
    return '';
  });
  await page.evaluate((n) => window.strata.select(n), conv);
  await page.waitForFunction(() => /strides/.test(document.querySelector('.sidebar')?.textContent ?? ''));
  await lookAt(page, conv, 1.4);
  await shot(page, 'superpoint-conv.png');
  await page.close();
} finally {
  await browser.close();
  for (const s of servers) await s.close();
}
