// End-to-end cases for graph inputs and outputs drawn as tensor boxes (issue 12): a box per real input above its
// consumers and per output below its producer, with name and type, that no operator count includes. Run by the
// main suite: `await runReadableIo({ test, assert, browser, serve, collect, track })` from tests/e2e/run.js.
import { resolve } from 'node:path';
import { drawnTexts, openReadyModel, repoRoot } from './browser.js';

const models = resolve(repoRoot, '../shared/models');

/** Centres the camera on the i-th tensor box at a zoom where boxes show names and types. */
const lookAtTensor = (page, i) =>
  page.evaluate((i) => {
    const t = window.__strataDebug.scene.layout.tensors;
    return window.strata.camera({ x: t.x[i] + t.w[i] / 2, y: t.y[i] + t.h[i] / 2, zoom: 1.2 });
  }, i);

/** Operator boxes of the layout and where the tensor boxes sit against the operator/group boxes. */
const layoutFacts = (page) =>
  page.evaluate(() => {
    const L = window.__strataDebug.scene.layout;
    let ops = 0;
    let top = Infinity;
    let bottom = -Infinity;
    for (let b = 0; b < L.boxCount; b++) {
      if (L.boxKind[b] === 0) ops++;
      top = Math.min(top, L.boxY[b]);
      bottom = Math.max(bottom, L.boxY[b] + L.boxH[b]);
    }
    const t = L.tensors;
    const rows = [];
    for (let i = 0; i < t.count; i++) rows.push({ output: t.output[i] === 1, y: t.y[i], h: t.h[i] });
    return { ops, boxes: L.boxCount, top, bottom, rows, edges: t.edgeCount };
  });

export async function run({ test, assert, browser, serve, collect, track }) {
  const open = (path, name) => openReadyModel({ assert, browser, serve, collect, track }, path, name);

  const cases = [
    {
      name: 'gpt-tiny',
      path: resolve(repoRoot, 'samples/gpt-tiny.onnx'),
      inputs: [['input_ids', 'int64 [batch×sequence]']],
      outputs: [['logits', 'float32 [batch×sequence×512]']],
    },
    {
      name: 'pose_landmark_full.tflite',
      path: resolve(models, 'tflite/pose_landmark_full.tflite'),
      inputs: [['input_1', 'float32 [1×256×256×3]']],
      outputs: [
        ['Identity', 'float32 [1×195]'],
        ['Identity_1', 'float32 [1×1]'],
        ['Identity_2', 'float32 [1×256×256×1]'],
        ['Identity_3', 'float32 [1×64×64×39]'],
        ['Identity_4', 'float32 [1×117]'],
      ],
    },
  ];
  for (const c of cases) {
    const page = await open(c.path, c.name);
    try {
      await test(`${c.name}: graph inputs above the model and outputs below it, with name and type`, async () => {
        const s = await page.evaluate(() => window.strata.state());
        const listed = (kind) => s.tensors.filter((t) => t.kind === kind).map((t) => [t.name, t.type]);
        assert(JSON.stringify(listed('input')) === JSON.stringify(c.inputs), `inputs ${JSON.stringify(s.tensors)}`);
        assert(JSON.stringify(listed('output')) === JSON.stringify(c.outputs), `outputs ${JSON.stringify(s.tensors)}`);
        const f = await layoutFacts(page);
        for (const r of f.rows) {
          assert(r.output ? r.y > f.bottom : r.y + r.h < f.top, `tensor box at y ${r.y} inside the model`);
        }
        assert(f.edges >= c.inputs.length + c.outputs.length, `${f.edges} tensor edges`);
        // Drawn: the first input's name and type, and the first output's, at full detail.
        await lookAtTensor(page, 0);
        const inTexts = await drawnTexts(page);
        for (const t of c.inputs[0]) assert(inTexts.includes(t), `no "${t}" drawn: ${inTexts.slice(0, 12)}`);
        await lookAtTensor(page, c.inputs.length);
        const outTexts = await drawnTexts(page);
        for (const t of c.outputs[0]) assert(outTexts.includes(t), `no "${t}" drawn: ${outTexts.slice(0, 12)}`);
      });

      await test(`${c.name}: tensor boxes count as no operator, group or box`, async () => {
        for (const action of ['collapseAll', 'expandAll']) {
          await page.evaluate((a) => window.strata[a](), action);
          await page.evaluate(() => window.strata.fit());
          const s = await page.evaluate(() => window.strata.state());
          const f = await layoutFacts(page);
          assert(s.tensors.length === c.inputs.length + c.outputs.length, `${action}: ${s.tensors.length} tensors`);
          assert(s.boxes === f.boxes, `${action}: boxes ${s.boxes} vs layout ${f.boxes}`);
          assert(s.visibleOps === f.ops, `${action}: visibleOps ${s.visibleOps} vs ${f.ops} operator boxes`);
          assert(s.visibleNodes === s.visibleOps + s.visibleGroups, `${action}: visibleNodes ${s.visibleNodes}`);
        }
      });

      await test(`${c.name}: clicking a tensor box shows that input's properties; the minimap draws tensor boxes`, async () => {
        await lookAtTensor(page, 0);
        const at = await page.evaluate(() => {
          const sc = window.__strataDebug.scene;
          const t = sc.layout.tensors;
          const p = sc.toScreen(t.x[0] + t.w[0] / 2, t.y[0] + t.h[0] / 2);
          const r = sc.app.canvas.getBoundingClientRect();
          return { x: r.left + p.sx, y: r.top + p.sy };
        });
        await page.mouse.click(at.x, at.y);
        await page.waitForFunction(() => /graph input/.test(document.querySelector('.props-title')?.textContent ?? ''));
        const title = await page.evaluate(() => document.querySelector('.props-title').textContent);
        assert(title.includes(c.inputs[0][0]), `properties title "${title}"`);
        // The minimap's pixel under the input tensor box is drawn (box colour, not background).
        const painted = await page.evaluate(() => {
          const mm = window.__strataDebug.scene.minimap;
          const t = window.__strataDebug.scene.layout.tensors;
          const dpr = mm.canvas.width / mm.width;
          const x = Math.round((t.x[0] + t.w[0] / 2) * mm.scale * dpr + mm.offX * dpr);
          const y = Math.round((t.y[0] + t.h[0] / 2) * mm.scale * dpr + mm.offY * dpr);
          return mm.cache.getContext('2d').getImageData(x, y, 1, 1).data[3];
        });
        assert(painted > 0, `minimap pixel under the input tensor box is empty (alpha ${painted})`);
      });
    } finally {
      await page.close();
    }
  }
}
