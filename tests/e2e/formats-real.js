// End-to-end cases for real files of the formats besides ONNX, run by the main suite:
// `await runFormatsReal({ test, assert, page, browser, serve, collect, track })` from tests/e2e/run.js.
// An OpenVINO pair (.xml + .bin) and an ML Program package (model.mlmodel + weights/weight.bin) are opened through
// the file picker, as a user would drop them; a weight stored in the companion file previews its first value.
import { resolve } from 'node:path';
import { repoRoot, waitSettled } from './browser.js';

const models = resolve(repoRoot, '../shared/models');

/** Opens `files` through the file picker and waits for the model named `file` to settle. */
async function pick(page, files, file) {
  await page.setInputFiles('input[type=file]', files);
  await page.waitForFunction((f) => window.strata.state().file === f, file);
  return waitSettled(page);
}

/** Selects `node`, presses "Show values" beside its constant input `value` and returns the preview's text. */
async function previewOf(page, node, value) {
  const selected = await page.evaluate((n) => window.strata.select(n), node);
  if (!selected) throw new Error(`${node} is not selectable`);
  await page.waitForFunction(
    (v) =>
      Array.from(document.querySelectorAll('.sidebar li.value')).some(
        (li) => li.querySelector('.value-name')?.textContent === v && li.querySelector('button.small'),
      ),
    value,
    { timeout: 10_000 },
  );
  await page.evaluate(
    (v) =>
      Array.from(document.querySelectorAll('.sidebar li.value'))
        .find((li) => li.querySelector('.value-name')?.textContent === v)
        .querySelector('button.small')
        .click(),
    value,
  );
  await page.waitForFunction(
    (v) => {
      const li = Array.from(document.querySelectorAll('.sidebar li.value')).find(
        (x) => x.querySelector('.value-name')?.textContent === v,
      );
      return /mean/.test(li?.querySelector('.preview')?.textContent ?? '');
    },
    value,
    { timeout: 10_000 },
  );
  return page.evaluate(
    (v) =>
      Array.from(document.querySelectorAll('.sidebar li.value')).find(
        (li) => li.querySelector('.value-name')?.textContent === v,
      ).textContent,
    value,
  );
}

export async function run({ test, assert, page }) {
  await test('file picker opens an OpenVINO .xml with its .bin; a convolution weight previews from the .bin', async () => {
    const dir = resolve(models, 'openvino');
    const s = await pick(
      page,
      [resolve(dir, 'face-detection-retail-0005.xml'), resolve(dir, 'face-detection-retail-0005.bin')],
      'face-detection-retail-0005.xml',
    );
    // 305 <layer>s less 126 Const, 1 Parameter and 1 Result (formats-reference.json).
    assert(s.status === 'ready' && s.nodes === 177, `openvino: ${s.status} ${s.nodes} ${s.error ?? ''}`);
    // The first f32 Const of the .bin (offset 28) is the first convolution's filter: 0.000236451… (numpy).
    const text = await previewOf(page, '332', 'input.1/reverse_input_channels/Concat13869_const');
    assert(
      /0\.000236451/.test(text) && /face-detection-retail-0005\.bin/.test(text),
      `openvino preview: ${text.slice(0, 300)}`,
    );
  });

  await test('file picker opens an .mlpackage as model.mlmodel with weights/weight.bin; a conv weight previews from the blob', async () => {
    const dir = resolve(models, 'coreml/superpoint.mlpackage/Data/com.apple.CoreML');
    const s = await pick(page, [resolve(dir, 'model.mlmodel'), resolve(dir, 'weights/weight.bin')], 'model.mlmodel');
    // 141 MIL operations less 107 const.
    assert(s.status === 'ready' && s.nodes === 34, `mlpackage: ${s.status} ${s.nodes} ${s.error ?? ''}`);
    // The first blob of weight.bin (fp16 at byte 128): -0.0646973 (numpy).
    const text = await previewOf(page, 'input_1_cast_fp16', 'conv1a_weight_to_fp16');
    assert(/-0\.0646973/.test(text) && /weight\.bin/.test(text), `mlpackage preview: ${text.slice(0, 300)}`);
  });
}
