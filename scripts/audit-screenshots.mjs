// Retakes the UX audit's screenshots for the items of issue 13 (../shared/reviews/ux-audit-2026-12.md) against the
// built page (`npm run build` first), with real mouse and keyboard input, into test-results/audit/ (not committed).
//   node scripts/audit-screenshots.mjs
// Each file is named after the audit screenshot it answers (s-ocr-searchlist.png, s-f-resize-small.png, …).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { launch, openPage, repoRoot, startServer, waitSettled } from '../tests/e2e/browser.js';

const OUT = resolve(repoRoot, 'test-results/audit');
const models = resolve(repoRoot, '../shared/models');
const SAMPLE = resolve(repoRoot, 'samples/gpt-tiny.onnx');
const OCR = resolve(models, 'onnx/ch_PP-OCRv4_det_infer.onnx');
mkdirSync(OUT, { recursive: true });

const settle = (page) =>
  page.waitForFunction(
    () => {
      const s = window.strata.state();
      return (s.status === 'ready' || s.status === 'error') && !s.busy;
    },
    undefined,
    { timeout: 60_000, polling: 50 },
  );
const shot = async (page, name) => {
  await page.screenshot({ path: resolve(OUT, name) });
  console.log(`  ${name}`);
};

const servers = [];
const serve = async (modelPath) => {
  const s = await startServer({ root: resolve(repoRoot, 'dist'), modelPath });
  servers.push(s);
  return s;
};
const browser = await launch();
try {
  const sample = await serve(SAMPLE);
  const ocrSrv = await serve(OCR);

  // Item 2: search list and the Conv it picks (PP-OCR).
  let page = await openPage(browser, ocrSrv.url, { modelUrl: ocrSrv.modelUrl, width: 1400, height: 900 });
  await waitSettled(page);
  await page.mouse.click(400, 500);
  await page.keyboard.press('/');
  await page.keyboard.type('Conv');
  await page.waitForSelector('.search.open .search-item');
  await shot(page, 's-ocr-searchlist.png');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.strata.state().selected !== null);
  await settle(page);
  await shot(page, 's-ocr-1.png');
  await page.close();

  // Items 15, 13, 22, 24: minimap at fit, colour by FLOPs, export of the whole graph, Hide values.
  page = await openPage(browser, sample.url, { modelUrl: sample.modelUrl, width: 1400, height: 900 });
  await waitSettled(page);
  await shot(page, 's-gpttiny-0.png');
  const box = await page.locator('canvas.minimap').boundingBox();
  await page.mouse.click(box.x + 10, box.y + 10);
  await settle(page);
  await shot(page, 's-f-minimap-click.png');
  await page.waitForFunction(() => window.strata.state().metrics !== null, undefined, { timeout: 60_000 });
  await page.click('button.collapse-all');
  await settle(page);
  await page.selectOption('select.colour-by', 'flops');
  await page.waitForSelector('.legend:not([hidden])');
  await shot(page, 's-f-colour-flops.png');
  await page.selectOption('select.colour-by', 'category');
  await page.click('button.export-whole');
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('button.export-svg')]);
  const svgText = readFileSync(await svg.path(), 'utf8');
  writeFileSync(resolve(OUT, 'export-gpttiny.svg'), svgText);
  const [png] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.click('button.export-png'),
  ]);
  writeFileSync(resolve(OUT, 'export-gpttiny-whole.png'), readFileSync(await png.path()));
  console.log('  export-gpttiny.svg, export-gpttiny-whole.png');
  await page.close();

  // The SVG export rendered by the browser, as the audit did (export-svg-render.png).
  page = await browser.newPage({ viewport: { width: 1000, height: 1000 } });
  await page.setContent(
    `<html><body style="margin:0;background:#fff">${svgText.replace(/width="\d+" height="\d+"/, 'width="1000"')}</body></html>`,
  );
  await page.screenshot({ path: resolve(OUT, 'export-svg-render.png'), fullPage: true });
  console.log('  export-svg-render.png');
  await page.close();

  // Item 16: a truncated ONNX, after gpt-tiny was open (the model stays; the panel names the problem).
  const trunc = resolve(OUT, 'ch_PP-OCRv4_truncated.onnx');
  writeFileSync(trunc, readFileSync(OCR).subarray(0, 300_000));
  page = await openPage(browser, sample.url, { modelUrl: sample.modelUrl, width: 1400, height: 900 });
  await waitSettled(page);
  await page.setInputFiles('input[type=file]', trunc);
  await waitSettled(page);
  await page.click('.error-details summary');
  await shot(page, 's-f-trunc-onnx.png');
  await page.close();

  // Item 17: the progress panel of a slow open (PP-OCR over a throttled link).
  page = await openPage(browser, ocrSrv.url, { width: 1400, height: 900 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 20,
    downloadThroughput: 600_000,
    uploadThroughput: -1,
  });
  await page.evaluate((u) => void window.strata.open(u), ocrSrv.modelUrl);
  await page.waitForFunction(
    () => /of the file/.test(document.querySelector('.loading-detail')?.textContent ?? ''),
    undefined,
    { timeout: 60_000 },
  );
  await page.waitForTimeout(600);
  await shot(page, 's-progress.png');
  await waitSettled(page);
  await page.close();

  // Item 5: 820 × 560, then the overflow menu open.
  page = await openPage(browser, sample.url, { modelUrl: sample.modelUrl, width: 820, height: 560 });
  await waitSettled(page);
  await shot(page, 's-f-resize-small.png');
  await page.click('button.more-toggle');
  await shot(page, 's-f-resize-small-menu.png');
  await page.close();
} finally {
  await browser.close();
  for (const s of servers) await s.close?.();
}
