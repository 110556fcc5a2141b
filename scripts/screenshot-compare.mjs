// Screenshot for the README's "Compare two models" section: a GPT decoder exported by torch with 4 layers (A)
// against the same export with 5 layers (B), opened through ?url=A&compare=B in headless Chromium, overview of B
// with its collapsed groups coloured and badged by the differences inside. Writes docs/images/compare.png (and
// compare-detail.png: the first change, zoomed in; compare-removed.png: the sample against an edited copy
// made by the e2e suite, at its removed node). Run after `npm run build`: node scripts/screenshot-compare.mjs
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { launch, repoRoot } from '../tests/e2e/browser.js';
import { openComparison } from '../tests/e2e/compare.js';

const out = resolve(repoRoot, 'docs/images');
mkdirSync(out, { recursive: true });
const { gptExport } = await tsImport('../tests/helpers/models.ts', import.meta.url);
const browser = await launch();
try {
  const { page, srv } = await openComparison(browser, gptExport(4), gptExport(5), { width: 1400, height: 820 });
  await page.evaluate(() => localStorage.setItem('strata-theme', 'light'));
  const s = await page.evaluate(() => window.strata.state());
  if (s.status !== 'ready' || !s.diff) throw new Error(`comparison did not open: ${s.status} ${s.error ?? ''}`);
  await page.evaluate(() => window.strata.fit());
  await page.screenshot({ path: resolve(out, 'compare.png') });
  await page.keyboard.press('n');
  await page.waitForFunction(() => window.strata.state().selected !== null && !window.strata.state().busy);
  await page.evaluate(() => window.strata.camera());
  await page.screenshot({ path: resolve(out, 'compare-detail.png') });
  console.log(`diff ${JSON.stringify(s.diff)}; wrote ${out}/compare.png and compare-detail.png`);
  await page.close();
  await srv.close();

  // The sample against an edited copy: a removed node drawn as a ghost beside where it was, next to a change.
  const edited = resolve(repoRoot, '.cache/models/diff/gpt-tiny-edited.onnx');
  const second = await openComparison(browser, resolve(repoRoot, 'samples/gpt-tiny.onnx'), edited, {
    width: 1400,
    height: 820,
  });
  const removedAt = await second.page.evaluate(() =>
    window.__strataDebug.controller.comparison.entries.findIndex((e) => e.kind === 'removed'),
  );
  await second.page.click(`.diff-item[data-index="${removedAt}"]`);
  await second.page.waitForFunction(() => window.strata.state().selected !== null && !window.strata.state().busy);
  await second.page.evaluate(() => window.strata.camera());
  await second.page.screenshot({ path: resolve(out, 'compare-removed.png') });
  await second.page.close();
  await second.srv.close();
} finally {
  await browser.close();
}
