// Screenshots of operator boxes at detail zoom (folded constants as rows, key attributes), for looking at what a
// user sees: `npm run build && node scripts/screenshot-boxes.mjs OUT_DIR MODEL...`. Each model is opened with
// every group expanded and the camera on its first operators at 100 % zoom.
import { mkdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { launch, openPage, repoRoot, startServer, waitSettled } from '../tests/e2e/browser.js';

const [out = resolve(repoRoot, 'shots'), ...models] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await launch();
try {
  for (const model of models) {
    const srv = await startServer({ root: resolve(repoRoot, 'dist'), modelPath: resolve(model) });
    const page = await openPage(browser, srv.url, { modelUrl: srv.modelUrl, width: 1400, height: 900, log: (l) => console.log(l) });
    try {
      const s = await waitSettled(page);
      if (s.status !== 'ready') throw new Error(`${model}: ${s.error}`);
      await page.evaluate(() => window.strata.expandAll());
      await page.evaluate(() => window.strata.fit());
      const st = await page.evaluate(() => window.strata.state());
      // The top of the graph at zoom 1: where a reader starts.
      const view = await page.evaluate(() => window.strata.firstBoxCentre?.() ?? null);
      await page.evaluate((v) => window.strata.camera(v ? { x: v.x, y: v.y + 330, zoom: 1 } : { zoom: 1 }), view);
      const file = resolve(out, `${basename(model).replace(/\.[^.]+$/, '')}.png`);
      await page.screenshot({ path: file });
      console.log(`${file}: visibleOps after expandAll+fit ${st.visibleOps}, nodes ${st.nodes}, tier now ${(await page.evaluate(() => window.strata.state())).tier}`);
    } finally {
      await page.close();
      await srv.close();
    }
  }
} finally {
  await browser.close();
}
