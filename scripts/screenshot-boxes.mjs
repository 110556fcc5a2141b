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
    const page = await openPage(browser, srv.url, {
      modelUrl: srv.modelUrl,
      width: 1400,
      height: 900,
      log: (l) => console.log(l),
    });
    try {
      const s = await waitSettled(page);
      if (s.status !== 'ready') throw new Error(`${model}: ${s.error}`);
      await page.evaluate(() => window.strata.expandAll());
      await page.evaluate(() => window.strata.fit());
      const st = await page.evaluate(() => window.strata.state());
      // Centre on the operator named on the command line (or the first match of its op type), at zoom 1.
      const focus = process.env.FOCUS_OP ?? 'Conv';
      const hit = await page.evaluate(
        (q) => window.strata.search(q).find((m) => m.kind === 'node' && m.op === q)?.name ?? null,
        focus,
      );
      if (hit) await page.evaluate((n) => window.strata.select(n), hit);
      const cam = await page.evaluate(() => window.strata.camera());
      await page.evaluate((c) => window.strata.camera({ x: c.x, y: c.y + 300, zoom: 1 }), cam);
      const file = resolve(out, `${basename(model).replace(/\.[^.]+$/, '')}.png`);
      await page.screenshot({ path: file });
      console.log(
        `${file}: visibleOps after expandAll+fit ${st.visibleOps}, nodes ${st.nodes}, tier now ${(await page.evaluate(() => window.strata.state())).tier}`,
      );
    } finally {
      await page.close();
      await srv.close();
    }
  }
} finally {
  await browser.close();
}
