// End-to-end cases for the opening view (issue 12: a model opens readable), run by the main suite:
// `await runReadableView({ test, assert, page, browser, serve, collect, track })` from tests/e2e/run.js.
import { resolve } from 'node:path';
import { openPage, repoRoot, waitSettled } from './browser.js';

const models = resolve(repoRoot, '../shared/models');

/** Real models of several formats, with what their first view must show. */
const CASES = [
  { path: resolve(models, 'onnx/ch_PP-OCRv4_det_infer.onnx'), nodes: 672 },
  { path: resolve(repoRoot, 'samples/gpt-tiny.onnx'), nodes: 537 },
  { path: resolve(models, 'tflite/pose_landmark_full.tflite'), nodes: 332 },
  { path: resolve(models, 'openvino/face-detection-retail-0005.xml'), nodes: 177 },
  { path: resolve(models, 'coreml/superpoint.mlpackage/Data/com.apple.CoreML/model.mlmodel'), nodes: 34 },
];

export async function run({ test, assert, browser, serve, collect, track }) {
  for (const c of CASES) {
    const name = c.path.split('/').pop();
    await test(`${name} opens readable: tier full, every group expanded, top of the graph; f fits all`, async () => {
      const srv = await serve(c.path);
      const p = await openPage(browser, srv.url, { modelUrl: srv.modelUrl, log: collect(name), onRequest: track });
      try {
        const s = await waitSettled(p);
        assert(s.status === 'ready', `${name}: ${s.status} ${s.error ?? ''}`);
        assert(s.tier === 'full', `${name}: tier ${s.tier} right after open (zoom ${s.camera.zoom})`);
        // At most 2,000 operators: no groups folded away, and no "part N" chunks.
        assert(s.expanded === s.groups, `${name}: ${s.expanded} of ${s.groups} groups expanded`);
        assert(s.visibleOps > 0, `${name}: no operator on screen`);
        if (name.startsWith('ch_PP-OCR')) assert(s.groups === 0, `PP-OCR cut into ${s.groups} chunks`);
        // `f` frames the whole graph: every box on screen.
        await p.keyboard.press('f');
        await p
          .waitForFunction(
            () => {
              const st = window.strata.state();
              return !st.busy && st.visibleNodes === st.boxes - st.expanded;
            },
            undefined,
            { timeout: 10_000 },
          )
          .catch(() => {});
        const fitted = await p.evaluate(() => window.strata.state());
        assert(
          fitted.camera.zoom < s.camera.zoom || fitted.visibleOps === s.visibleOps,
          `${name}: f did not zoom out (zoom ${fitted.camera.zoom})`,
        );
        assert(
          fitted.visibleNodes === fitted.boxes - fitted.expanded,
          `${name}: after f, ${fitted.visibleNodes} of ${fitted.boxes - fitted.expanded} boxes on screen`,
        );
        assert(
          fitted.visibleOps >= s.visibleOps,
          `${name}: f shows fewer ops (${fitted.visibleOps} < ${s.visibleOps})`,
        );
      } finally {
        await p.close();
      }
    });
  }
}
