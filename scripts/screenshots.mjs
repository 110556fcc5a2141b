// Screenshots of the built page (dist/) in headless Chromium, for the README and for looking at opening views.
//   npm run screenshots                 README images: docs/screenshot-cnn.png, docs/screenshot-llm.png
//   node scripts/screenshots.mjs --open DIR   the opening view of several real models, into DIR (not committed)
import { mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { launch, openPage, repoRoot, startServer, waitSettled } from '../tests/e2e/browser.js';

const models = resolve(repoRoot, '../shared/models');
const DIST = resolve(repoRoot, 'dist');

/** Opening views worth comparing with Netron's (../shared/reviews/ux-2026-12/n-*.png). */
const OPENING = [
  ['ocr', resolve(models, 'onnx/ch_PP-OCRv4_det_infer.onnx')],
  ['gpttiny', resolve(repoRoot, 'samples/gpt-tiny.onnx')],
  ['pose', resolve(models, 'tflite/pose_landmark_full.tflite')],
  ['ov', resolve(models, 'openvino/face-detection-retail-0005.xml')],
  ['superpoint', resolve(models, 'coreml/superpoint.mlpackage/Data/com.apple.CoreML/model.mlmodel')],
];

async function shoot(browser, modelPath, out, prepare) {
  const srv = await startServer({ root: DIST, modelPath });
  const page = await openPage(browser, srv.url, {
    modelUrl: srv.modelUrl,
    width: 1400,
    height: 900,
    log: (l) => console.error(l),
  });
  try {
    const s = await waitSettled(page);
    if (s.status !== 'ready') throw new Error(`${modelPath}: ${s.status} ${s.error ?? ''}`);
    if (prepare) await prepare(page);
    await page.screenshot({ path: out });
    const after = await page.evaluate(() => window.strata.state());
    console.log(
      `${out}: tier ${after.tier}, zoom ${after.camera.zoom.toFixed(2)}, ${after.visibleOps} ops visible, ` +
        `readyAtMs ${s.timings.readyAtMs}, ${Math.round(statSync(out).size / 1024)} KB`,
    );
  } finally {
    await page.close();
    await srv.close();
  }
}

/** The LLM picture: one transformer block of gpt-tiny, zoomed to where names and shapes show. */
async function llmBlock(page) {
  await page.evaluate(async () => {
    await window.strata.select('/h.1/attn/MatMul');
    const c = window.strata.state().camera;
    await window.strata.camera({ x: c.x, y: c.y + 80, zoom: 0.9 });
  });
  // The selection outline would dominate the picture.
  await page.keyboard.press('Escape');
}

const args = process.argv.slice(2);
const browser = await launch();
try {
  if (args[0] === '--open') {
    const dir = resolve(args[1] ?? '/tmp/strata-open');
    mkdirSync(dir, { recursive: true });
    for (const [tag, path] of OPENING) await shoot(browser, path, resolve(dir, `open-${tag}.png`));
  } else {
    const docs = resolve(repoRoot, 'docs');
    mkdirSync(docs, { recursive: true });
    await shoot(browser, OPENING[0][1], resolve(docs, 'screenshot-cnn.png'));
    await shoot(browser, OPENING[1][1], resolve(docs, 'screenshot-llm.png'), llmBlock);
  }
} finally {
  await browser.close();
}
