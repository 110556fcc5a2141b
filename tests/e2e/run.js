// End-to-end suite: the built page (dist/) behind the project's server, in headless Chromium (SwiftShader).
// Run by `npm run test:e2e` after `npm run build`. Prints one line per test and a closing `N passed, M failed`.
import { tsImport } from 'tsx/esm/api';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { launch, openPage, repoRoot, startServer, waitSettled } from './browser.js';
import { run as runCheckpoints } from './checkpoints.js';
import { run as runReadableView } from './readable-view.js';
import { run as runReadableNodes } from './readable-nodes.js';
import { run as runReadableShapes } from './readable-shapes.js';
import { run as runReadableIo } from './readable-io.js';
import { run as runCompare } from './compare.js';
import { run as runRenderers } from './renderers.js';
import { run as runPolish } from './polish.js';
import { run as runFormatsReal } from './formats-real.js';

const DIST = resolve(repoRoot, 'dist');
const OUT = resolve(repoRoot, 'test-results/e2e');
const CACHE = resolve(repoRoot, '.cache/models');
const PYTHON = '/usr/bin/python3';
const SUITE_START = Date.now();

mkdirSync(OUT, { recursive: true });
mkdirSync(CACHE, { recursive: true });

function sampleModel() {
  const dir = resolve(repoRoot, 'samples');
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.onnx'))
        .sort()
    : [];
  if (files.length) return resolve(dir, files[0]);
  return '/work/shared/models/onnx/mlsd_320x320_tiny.onnx';
}

function chainModel(nodes) {
  const out = resolve(CACHE, `chain_${nodes}.onnx`);
  if (!existsSync(out)) {
    execFileSync(PYTHON, ['/work/shared/scripts/gen_chain_onnx.py', String(nodes), out], {
      stdio: 'pipe',
      timeout: 300_000,
    });
  }
  return out;
}

/** A tiny ONNX whose node and tensor names are HTML; the page must show them as text. */
function hostileModel() {
  const out = resolve(CACHE, 'hostile_names.onnx');
  if (existsSync(out)) return out;
  const script = `
import onnx, sys
from onnx import helper, TensorProto
evil = '<img src=x onerror="window.__pwned=1">'
n1 = helper.make_node('Relu', ['x'], ['y' + evil], name=evil)
n2 = helper.make_node('Sigmoid', ['y' + evil], ['z'], name='<b>bold</b>')
g = helper.make_graph([n1, n2], '<script>window.__pwned=2</script>',
    [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 4])],
    [helper.make_tensor_value_info('z', TensorProto.FLOAT, [1, 4])])
m = helper.make_model(g, producer_name='<i>producer</i>')
onnx.save(m, sys.argv[1])
`;
  execFileSync(PYTHON, ['-c', script, out], { stdio: 'pipe', timeout: 60_000 });
  return out;
}

function corruptModel() {
  const out = resolve(CACHE, 'corrupt.onnx');
  // A protobuf-looking prefix followed by garbage: detected as ONNX by name, fails to decode.
  const bytes = Buffer.alloc(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 0xff;
  bytes[0] = 0x08;
  bytes[1] = 0x07;
  bytes[2] = 0x3a;
  bytes[3] = 0xff;
  writeFileSync(out, bytes);
  return out;
}

// ---------------------------------------------------------------------------------------------- harness

const results = [];
function log(line) {
  process.stdout.write(`${line}\n`);
}

async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    log(`  ✓ ${name} (${Date.now() - t0} ms)`);
  } catch (err) {
    results.push({ name, ok: false, err });
    log(
      `  ✗ ${name} (${Date.now() - t0} ms)\n      ${String(err?.stack ?? err)
        .split('\n')
        .slice(0, 4)
        .join('\n      ')}`,
    );
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

const state = (page) => page.evaluate(() => window.strata.state());

// ---------------------------------------------------------------------------------------------- suite

if (!existsSync(resolve(DIST, 'index.html'))) {
  log('dist/index.html missing: run `npm run build` first');
  log('0 passed, 1 failed');
  process.exit(1);
}

const sample = sampleModel();
const big = chainModel(100000);
const servers = [];
const serve = async (modelPath) => {
  const s = await startServer({ root: DIST, modelPath });
  servers.push(s);
  return s;
};

const browser = await launch();
const pageErrors = [];
/** Every URL any page or worker asked for, to prove nothing leaves the machine. */
const requested = [];
const track = (url) => requested.push(url);
const collect = (tag) => (line) => {
  // 404s for deliberately missing files are expected in some tests; everything else is an error.
  pageErrors.push(`${tag}: ${line}`);
};

try {
  const sampleSrv = await serve(sample);
  const page = await openPage(browser, sampleSrv.url, {
    modelUrl: sampleSrv.modelUrl,
    log: collect('sample'),
    onRequest: track,
  });

  await test(`opens the sample via ?url= (${sample.split('/').pop()})`, async () => {
    const s = await waitSettled(page, 60_000);
    assert(s.status === 'ready', `status ${s.status} ${s.error ?? ''}`);
    assert(s.nodes > 0, 'no nodes');
    assert(s.visibleNodes > 0, 'nothing visible');
    assert(s.drawCalls > 0 && s.drawCalls <= 12, `drawCalls ${s.drawCalls}`);
    assert(/swiftshader|angle|mesa|llvmpipe|gpu/i.test(s.renderer) || s.renderer.length > 0, 'no renderer string');
    assert(s.sharedColumns === true, 'the served page is cross-origin isolated, yet its columns are not shared');
    await page.screenshot({ path: resolve(OUT, 'sample.png') });
  });

  await test('canvas shows the graph (non-background pixels)', async () => {
    const nonBg = await page.evaluate(() => {
      const sc = window.__strataDebug.scene;
      sc.renderNow();
      const gl = sc.app.renderer.gl;
      const w = gl.drawingBufferWidth;
      const h = gl.drawingBufferHeight;
      const px = new Uint8Array(w * h * 4);
      gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, px);
      const bg = [px[0], px[1], px[2]];
      let diff = 0;
      for (let i = 0; i < px.length; i += 4 * 7)
        if (Math.abs(px[i] - bg[0]) + Math.abs(px[i + 1] - bg[1]) + Math.abs(px[i + 2] - bg[2]) > 24) diff++;
      return diff;
    });
    assert(nonBg > 50, `only ${nonBg} drawn pixels`);
  });

  await test('structure profile: metrics, profile panel rows, runtime heat map from a real ORT profile', async () => {
    await page.waitForFunction(() => window.strata.state().metrics !== null, undefined, { timeout: 60_000 });
    let s = await state(page);
    assert(s.metrics.params > 0 && s.metrics.flops > 0, `metrics ${JSON.stringify(s.metrics)}`);
    assert(
      s.colorMode === 'category' && s.profile === null,
      `initial colour ${s.colorMode} profile ${JSON.stringify(s.profile)}`,
    );
    // Profile panel: groups view, then op types.
    await page.click('button.profile-toggle');
    await page.waitForSelector('.profile-panel tbody tr', { timeout: 10_000 });
    const groups = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.profile-panel tbody tr')).map((tr) =>
        Array.from(tr.cells).map((c) => c.textContent),
      ),
    );
    assert(
      groups.length > 0 && groups.every((r) => r.length === 5 && r[0].length > 0),
      `group rows ${JSON.stringify(groups.slice(0, 3))}`,
    );
    await page.click('.profile-tabs button[data-view=ops]');
    const ops = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.profile-panel tbody tr')).map((tr) => tr.cells[0].textContent),
    );
    assert(ops.includes('MatMul'), `op rows ${ops.join(',')}`);
    // Clicking an op row searches it.
    await page.click('.profile-panel tbody tr[data-key="MatMul"]');
    const q = await page.evaluate(() => document.querySelector('.search-input').value);
    assert(q === 'MatMul', `op row searched ${q}`);
    await page.keyboard.press('Escape');
    await page.click('.profile-tabs button[data-view=groups]');

    // Pixels in op-category mode, same camera as the heat map below.
    await page.evaluate(() => window.strata.collapseAll());
    const readPixels = (key) =>
      page.evaluate((k) => {
        const sc = window.__strataDebug.scene;
        sc.renderNow();
        const gl = sc.app.renderer.gl;
        const px = new Uint8Array(gl.drawingBufferWidth * gl.drawingBufferHeight * 4);
        gl.readPixels(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight, gl.RGBA, gl.UNSIGNED_BYTE, px);
        (window.__px ??= {})[k] = px;
        return px.length;
      }, key);
    await readPixels('category');

    const { ortProfile } = await tsImport('../helpers/ort.ts', import.meta.url);
    const run = await ortProfile(sample, { runs: 2 });
    const profilePath = resolve(CACHE, `${sample.split('/').pop()}.ort-profile.json`);
    writeFileSync(profilePath, JSON.stringify(run.profile));
    run.cleanup();
    await page.setInputFiles('input.profile-file', profilePath);
    await page.waitForFunction(() => window.strata.state().profile !== null, undefined, { timeout: 30_000 });
    s = await state(page);
    assert(s.colorMode === 'runtime', `colour mode ${s.colorMode} after loading a profile`);
    assert(s.profile.totalMs > 0, `profile ${JSON.stringify(s.profile)}`);
    const executable = await page.evaluate(() => {
      const m = window.__strataDebug.controller.model;
      let n = 0;
      for (let i = 0; i < m.ir.nodeCount; i++) if (m.nodeOp(i) !== 'Constant') n++;
      return n;
    });
    const share = s.profile.mappedNodes / executable;
    log(
      `      ORT profile: ${s.profile.mappedNodes}/${executable} non-Constant nodes timed, ${s.profile.totalMs.toFixed(2)} ms per run`,
    );
    assert(share >= 0.95, `only ${(100 * share).toFixed(1)}% of non-Constant nodes mapped`);
    const status = await page.evaluate(() => document.querySelector('.profile-status').textContent);
    assert(/unmapped events/.test(status), `panel status: ${status}`);
    const msHeader = await page.evaluate(() => !!document.querySelector('.profile-table th[data-column=runtime]'));
    assert(msHeader, 'no runtime column with a profile loaded');
    const legend = await page.evaluate(() => {
      const l = document.querySelector('.legend');
      return l && !l.hidden ? l.textContent : null;
    });
    assert(legend && /Runtime/.test(legend), `legend ${legend}`);

    await readPixels('runtime');
    const changed = await page.evaluate(() => {
      const a = window.__px.category;
      const b = window.__px.runtime;
      let d = 0;
      for (let i = 0; i < a.length; i += 4 * 7)
        if (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]) > 24) d++;
      delete window.__px;
      return d;
    });
    assert(changed > 200, `runtime colouring changed only ${changed} sampled pixels`);
    await page.screenshot({ path: resolve(OUT, 'heatmap.png') });

    // The other modes through the API, then back to the default.
    s = await page.evaluate(() => window.strata.colorBy('flops'));
    assert(s.colorMode === 'flops', `colorBy flops -> ${s.colorMode}`);
    s = await page.evaluate(() => window.strata.colorBy('params'));
    assert(s.colorMode === 'params', `colorBy params -> ${s.colorMode}`);
    const bad = await page.evaluate(() =>
      window.strata.colorBy('nope').then(
        () => 'resolved',
        (e) => String(e.message),
      ),
    );
    assert(/unknown colour mode/.test(bad), `bad mode: ${bad}`);
    s = await page.evaluate(() => window.strata.colorBy('category'));
    assert(s.colorMode === 'category', `colorBy category -> ${s.colorMode}`);
    // Dropping a profile .json on the open model loads it (and does not replace the model).
    const dropped = await page.evaluate(
      async (text) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], 'dropped-profile.json', { type: 'application/json' }));
        const host = document.querySelector('.graph-host');
        host.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
        host.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        for (let i = 0; i < 100 && window.strata.state().colorMode !== 'runtime'; i++)
          await new Promise((r) => setTimeout(r, 50));
        const st = window.strata.state();
        return {
          mode: st.colorMode,
          file: st.file,
          status: st.status,
          text: document.querySelector('.profile-status').textContent,
        };
      },
      readFileSync(profilePath, 'utf8'),
    );
    assert(
      dropped.mode === 'runtime' && dropped.status === 'ready' && /dropped-profile\.json/.test(dropped.text),
      `drop: ${JSON.stringify(dropped)}`,
    );
    await page.evaluate(() => window.strata.colorBy('category'));
    // Re-running the analysis with other symbolic dims changes FLOPs.
    const flops1 = s.metrics.flops;
    await page.fill('.profile-dims input[name=sequence]', '256');
    await page.click('.profile-dims button[type=submit]');
    await page.waitForFunction(
      (f) => {
        const m = window.strata.state().metrics;
        return m && m.flops !== f;
      },
      flops1,
      { timeout: 30_000 },
    );
    await page.click('button.profile-toggle');
  });

  await test('collapseAll / expand(path) / collapse again', async () => {
    let s = await page.evaluate(() => window.strata.collapseAll());
    assert(s.expanded === 0, `expanded ${s.expanded} after collapseAll`);
    const collapsedBoxes = s.boxes;
    const path = await page.evaluate(() => {
      const h = window.__strataDebug.controller.model.hierarchy;
      for (let g = 1; g < h.groupCount; g++) if (h.groupParent[g] === 0 && h.groupSize[g] > 1) return h.groupPath[g];
      return null;
    });
    assert(path !== null, 'sample has no top-level group');
    s = await page.evaluate((p) => window.strata.expand(p), path);
    assert(s.expanded >= 1, `expanded ${s.expanded} after expand(${path})`);
    assert(s.boxes > collapsedBoxes, `boxes ${s.boxes} not more than ${collapsedBoxes}`);
    const bad = await page.evaluate(() =>
      window.strata.expand('no/such/group').then(
        () => 'resolved',
        (e) => String(e.message),
      ),
    );
    assert(/no group/.test(bad), `unknown path: ${bad}`);
    s = await page.evaluate(() => window.strata.collapseAll());
    assert(s.expanded === 0 && s.boxes === collapsedBoxes, 'collapse did not restore');
  });

  await test('clicking a collapsed group on the canvas expands it', async () => {
    const before = await state(page);
    const target = await page.evaluate(() => {
      const { scene, controller } = window.__strataDebug;
      const L = controller.layout;
      const r = scene.app.canvas.getBoundingClientRect();
      for (let b = 0; b < L.boxCount; b++) {
        if (L.boxKind[b] !== 1) continue;
        const p = scene.toScreen(L.boxX[b] + L.boxW[b] / 2, L.boxY[b] + L.boxH[b] / 2);
        if (p.sx > 5 && p.sy > 5 && p.sx < r.width - 220 && p.sy < r.height - 170)
          return { x: r.left + p.sx, y: r.top + p.sy };
      }
      return null;
    });
    assert(target, 'no group box on screen');
    await page.mouse.click(target.x, target.y);
    await page.waitForFunction(
      (n) => window.strata.state().expanded > n && !window.strata.state().busy,
      before.expanded,
      { timeout: 15_000 },
    );
    await page.evaluate(() => window.strata.camera());
    await page.screenshot({ path: resolve(OUT, 'sample-expanded.png') });
  });

  await test('search and select fill the properties panel', async () => {
    await page.evaluate(() => window.strata.expandAll());
    const matches = await page.evaluate(() => window.strata.search('MatMul'));
    assert(Array.isArray(matches) && matches.length > 0, 'no MatMul matches');
    assert(
      matches.every((m) => typeof m.name === 'string' && typeof m.op === 'string'),
      'bad match shape',
    );
    const target = matches.find((m) => m.kind === 'node') ?? matches[0];
    const sel = await page.evaluate((n) => window.strata.select(n), target.name);
    assert(sel && sel.name === target.name, `select returned ${JSON.stringify(sel)}`);
    const s = await state(page);
    assert(s.selected === target.name, `selected ${s.selected}`);
    await page.waitForFunction(
      () => !document.querySelector('.props-attrs')?.textContent?.includes('Loading'),
      undefined,
      { timeout: 10_000 },
    );
    const panel = await page.evaluate(() => ({
      op: document.querySelector('.sidebar .props-op')?.textContent,
      name: document.querySelector('.sidebar .props-name')?.textContent,
      inputs: document.querySelectorAll('.sidebar .values-list')[0]?.querySelectorAll('.value').length ?? 0,
      types: Array.from(document.querySelectorAll('.sidebar .value-type')).map((e) => e.textContent),
      attrs: document.querySelector('.props-attrs')?.textContent ?? '',
    }));
    assert(panel.op === sel.op, `panel op ${panel.op} vs ${sel.op}`);
    assert(panel.name === target.name, `panel name ${panel.name}`);
    assert(panel.inputs > 0, 'no inputs listed');
    assert(
      panel.types.some((t) => /\w+\[/.test(t) || /^float|^int/.test(t)),
      `no dtypes: ${panel.types.join(' ')}`,
    );
    assert(!/Could not/.test(panel.attrs), `attributes failed: ${panel.attrs}`);
    const none = await page.evaluate(() => window.strata.select('definitely-not-a-node'));
    assert(none === null, 'select of unknown name should resolve null');
  });

  await test('constant preview shows value statistics', async () => {
    const clicked = await page.evaluate(() => {
      const b = Array.from(document.querySelectorAll('.sidebar button.small')).find(
        (x) => x.textContent === 'Show values',
      );
      if (!b) return false;
      b.click();
      return true;
    });
    if (!clicked) {
      // The selected node had no stored constant: pick a node that has one.
      const name = await page.evaluate(() => {
        const { model } = window.__strataDebug.controller;
        const ir = model.ir;
        for (let n = 0; n < ir.nodeCount; n++) {
          for (let i = ir.nodeInputOffsets[n]; i < ir.nodeInputOffsets[n + 1]; i++) {
            const v = ir.nodeInputs[i];
            if (v >= 0 && ir.valueFlags[v] & 1 && ir.valueDataLength[v] > 0) return model.nodeName(n);
          }
        }
        return null;
      });
      assert(name, 'model has no constants');
      await page.evaluate((n) => window.strata.select(n), name);
      await page.click('.sidebar button.small');
    }
    await page.waitForFunction(
      () => /mean/.test(document.querySelector('.sidebar .preview')?.textContent ?? ''),
      undefined,
      { timeout: 10_000 },
    );
    const text = await page.evaluate(() => document.querySelector('.sidebar .preview').textContent);
    assert(/min/.test(text) && /max/.test(text) && /std/.test(text), `preview: ${text}`);
    await page.screenshot({ path: resolve(OUT, 'sample-selected.png') });
  });

  await test('keyboard: / focuses search, Enter picks, Esc clears, f fits, +/- zoom', async () => {
    await page.evaluate(() => document.activeElement?.blur?.());
    await page.keyboard.press('/');
    const focused = await page.evaluate(() => document.activeElement?.classList.contains('search-input'));
    assert(focused, 'search not focused by /');
    await page.keyboard.type('Softmax');
    await page.waitForSelector('.search.open .search-item', { timeout: 5000 });
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () =>
        window.strata.state().selected !== null &&
        /Softmax/i.test(document.querySelector('.sidebar .props-op')?.textContent ?? ''),
      undefined,
      { timeout: 10_000 },
    );
    await page.evaluate(() => document.activeElement?.blur?.());
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => window.strata.state().selected === null, undefined, { timeout: 5000 });
    const z0 = (await page.evaluate(() => window.strata.camera())).zoom;
    await page.keyboard.press('+');
    await page.waitForTimeout(400);
    const z1 = (await page.evaluate(() => window.strata.camera())).zoom;
    assert(z1 > z0 * 1.2, `+ did not zoom in (${z0} -> ${z1})`);
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    await page.waitForTimeout(400);
    const z2 = (await page.evaluate(() => window.strata.camera())).zoom;
    assert(z2 < z1, `- did not zoom out (${z1} -> ${z2})`);
    await page.keyboard.press('f');
    await page.waitForTimeout(500);
    const fitted = await page.evaluate(async () => {
      const c = await window.strata.camera();
      const f = await window.strata.fit();
      return Math.abs(c.zoom - f.zoom) / f.zoom;
    });
    assert(fitted < 0.02, `f did not fit (off by ${fitted})`);
  });

  await test('camera() moves the view; minimap drag moves the camera', async () => {
    const c = await page.evaluate(() => window.strata.camera({ zoom: 1 }));
    assert(Math.abs(c.zoom - 1) < 1e-6, `zoom ${c.zoom}`);
    const before = await page.evaluate(() => window.strata.camera());
    const box = await page.locator('canvas.minimap').boundingBox();
    assert(box, 'no minimap');
    const x = box.x + box.width / 2;
    await page.mouse.move(x, box.y + box.height * 0.25);
    await page.mouse.down();
    await page.mouse.move(x, box.y + box.height * 0.5, { steps: 4 });
    await page.mouse.move(x, box.y + box.height * 0.75, { steps: 4 });
    await page.mouse.up();
    const after = await page.evaluate(() => window.strata.camera());
    const moved = Math.hypot(after.x - before.x, after.y - before.y);
    assert(moved > 10, `camera moved only ${moved}`);
  });

  await test('theme toggle and PNG / SVG export', async () => {
    const t0 = await page.evaluate(() => document.documentElement.dataset.theme);
    await page.click('button.theme');
    const t1 = await page.evaluate(() => document.documentElement.dataset.theme);
    assert(t0 !== t1, 'theme did not change');
    await page.evaluate(() => window.strata.camera());
    await page.screenshot({ path: resolve(OUT, `sample-${t1}.png`) });
    await page.click('button.theme');
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('button.export-png')]);
    const pngBytes = readFileSync(await png.path());
    assert(pngBytes.length > 1000 && pngBytes[1] === 0x50, `png ${pngBytes.length} bytes`);
    const [svg] = await Promise.all([page.waitForEvent('download'), page.click('button.export-svg')]);
    const svgText = readFileSync(await svg.path(), 'utf8');
    assert(svgText.startsWith('<svg') && /<rect/.test(svgText), `svg: ${svgText.slice(0, 80)}`);
    writeFileSync(resolve(OUT, 'view.svg'), svgText);
  });

  await test('file picker opens a model', async () => {
    await page.setInputFiles('input[type=file]', sample);
    await page.waitForFunction(
      () => window.strata.state().status === 'loading' || window.strata.state().status === 'ready',
    );
    const s = await waitSettled(page);
    assert(s.status === 'ready' && s.nodes > 0, `status ${s.status}`);
  });

  await test('file picker opens real non-ONNX models: ncnn .param with its .bin, Keras .h5', async () => {
    const real = resolve(repoRoot, '.cache/real-models');
    const upscayl = resolve(real, 'upscayl/package/dist/upscaler/sub-classes/model-manager/models');
    await page.setInputFiles('input[type=file]', [
      resolve(upscayl, 'realesrgan-x4fast.param'),
      resolve(upscayl, 'realesrgan-x4fast.bin'),
    ]);
    await page.waitForFunction(() => window.strata.state().file === 'realesrgan-x4fast.param');
    let s = await waitSettled(page);
    assert(s.status === 'ready' && s.nodes === 72, `ncnn: ${s.status} ${s.nodes} ${s.error ?? ''}`);
    await page.waitForFunction(
      () => window.strata.state().metrics !== null || window.__strataDebug.profiling?.error,
      undefined,
      { timeout: 30_000 },
    );
    s = await state(page);
    assert(s.metrics, `analysis failed: ${await page.evaluate(() => window.__strataDebug.profiling?.error)}`);
    assert(s.metrics.params === 1213296, `ncnn params ${s.metrics.params}`);
    // The fp16 weights of the first convolution preview from the .bin dropped beside the .param.
    await page.evaluate(() => window.strata.select('Conv_0'));
    await page.waitForFunction(
      () => Array.from(document.querySelectorAll('.sidebar button.small')).some((b) => b.textContent === 'Show values'),
      undefined,
      { timeout: 10_000 },
    );
    await page.evaluate(() =>
      Array.from(document.querySelectorAll('.sidebar button.small'))
        .find((b) => b.textContent === 'Show values')
        .click(),
    );
    await page.waitForFunction(
      () => /mean/.test(document.querySelector('.sidebar .preview')?.textContent ?? ''),
      undefined,
      { timeout: 10_000 },
    );
    const preview = await page.evaluate(() => document.querySelector('.sidebar .preview').textContent);
    assert(/-0\.125/.test(preview), `ncnn preview: ${preview.slice(0, 200)}`);
    const badge = await page.evaluate(() => document.querySelector('.sidebar .value-const')?.textContent ?? '');
    assert(/float16/.test(badge) && /realesrgan-x4fast\.bin/.test(badge), `ncnn badge: ${badge}`);

    // Through the CLI server and ?url=, the .bin is fetched beside the .param as a companion file.
    const ncnnSrv = await serve(resolve(upscayl, 'realesrgan-x4fast.param'));
    const ncnnPage = await openPage(browser, ncnnSrv.url, {
      modelUrl: ncnnSrv.modelUrl,
      log: collect('ncnn'),
      onRequest: track,
    });
    try {
      const viaUrl = await waitSettled(ncnnPage);
      assert(viaUrl.status === 'ready' && viaUrl.nodes === 72, `ncnn via url: ${viaUrl.status} ${viaUrl.error ?? ''}`);
      await ncnnPage.waitForFunction(() => window.strata.state().metrics !== null, undefined, { timeout: 30_000 });
      const m = await state(ncnnPage);
      assert(m.metrics.params === 1213296, `ncnn via url params ${m.metrics.params}`);
      await ncnnPage.evaluate(() => window.strata.select('Conv_0'));
      await ncnnPage.waitForFunction(
        () => /realesrgan-x4fast\.bin/.test(document.querySelector('.sidebar .value-const')?.textContent ?? ''),
        undefined,
        { timeout: 10_000 },
      );
    } finally {
      await ncnnPage.close();
    }

    await page.setInputFiles(
      'input[type=file]',
      resolve(real, 'invesalius/usr/share/invesalius/ai/brain_mri_t1/model.h5'),
    );
    await page.waitForFunction(() => window.strata.state().file === 'model.h5');
    s = await waitSettled(page);
    assert(s.status === 'ready' && s.nodes === 26, `keras: ${s.status} ${s.nodes} ${s.error ?? ''}`);
    await page.screenshot({ path: resolve(OUT, 'keras-h5.png') });
  });

  await runCheckpoints({ test, assert, page, browser, serve, collect, track });
  await runReadableView({ test, assert, page, browser, serve, collect, track });
  await runReadableNodes({ test, assert, page, browser, serve, collect, track });
  await runReadableShapes({ test, assert, browser, serve, collect, track });
  await runReadableIo({ test, assert, browser, serve, collect, track });
  await runCompare({ test, assert, page, browser, serve, collect, track });
  await runRenderers({ test, assert, browser, serve, collect });
  await runPolish({ test, assert, page, browser, serve, collect, track });
  await runFormatsReal({ test, assert, page, browser, serve, collect, track });

  await test('dropping a file on the page opens it', async () => {
    await page.evaluate(() => window.strata.collapseAll());
    const s = await page.evaluate(async (url) => {
      const blob = await (await fetch(url)).blob();
      const dt = new DataTransfer();
      dt.items.add(new File([blob], 'dropped.onnx'));
      const host = document.querySelector('.graph-host');
      host.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
      const highlighted = host.classList.contains('drag-over');
      host.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      await new Promise((r) => setTimeout(r, 50));
      return { highlighted, cleared: !host.classList.contains('drag-over') };
    }, sampleSrv.modelUrl);
    assert(s.highlighted && s.cleared, `drop target feedback: ${JSON.stringify(s)}`);
    const st = await waitSettled(page);
    assert(st.status === 'ready' && st.file === 'dropped.onnx', `after drop: ${st.status} ${st.file}`);
  });

  await test('model strings are rendered as text, never HTML', async () => {
    // The page may only fetch from its own origin (CSP), and each server serves one model: open it there.
    const srv = await serve(hostileModel());
    await page.goto(`${srv.url}?url=${encodeURIComponent(srv.modelUrl)}`);
    const s = await waitSettled(page);
    assert(s.status === 'ready', `status ${s.status} ${s.error ?? ''}`);
    const evil = '<img src=x onerror="window.__pwned=1">';
    await page.evaluate((n) => window.strata.select(n), evil);
    const r = await page.evaluate(() => ({
      pwned: window.__pwned ?? 0,
      imgs: document.querySelectorAll('.sidebar img, .search img').length,
      name: document.querySelector('.sidebar .props-name')?.textContent,
    }));
    assert(r.pwned === 0 && r.imgs === 0, `markup was interpreted: ${JSON.stringify(r)}`);
    assert(r.name === evil, `name shown as ${r.name}`);
    await page.fill('.search-input', '<b>');
    await page.waitForSelector('.search.open .search-item');
    const bold = await page.evaluate(() => document.querySelectorAll('.search-results b').length);
    assert(bold === 0, 'search results rendered HTML');
    await page.keyboard.press('Escape');
  });

  await test('hostile names, ops, docs and attributes (script, img, svg, javascript:, RTL) stay inert text', async () => {
    const { writeHostileOnnx, HOSTILE_NAMES } = await tsImport('../helpers/hostile-model.ts', import.meta.url);
    const file = writeHostileOnnx(resolve(CACHE, 'hostile_full.onnx'));
    const srv = await serve(file);
    await page.goto(`${srv.url}?url=${encodeURIComponent(srv.modelUrl)}`);
    const s = await waitSettled(page);
    assert(s.status === 'ready', `status ${s.status} ${s.error ?? ''}`);
    await page.evaluate(() => window.strata.expandAll());
    for (const name of HOSTILE_NAMES.nodes) {
      const picked = await page.evaluate((n) => window.strata.select(n), name);
      assert(picked !== null, `could not select ${JSON.stringify(name)}`);
      const shown = await page.evaluate(() => document.querySelector('.sidebar .props-name')?.textContent);
      assert(shown === name, `name shown as ${JSON.stringify(shown)}`);
    }
    await page.fill('.search-input', '<');
    await page.waitForSelector('.search.open .search-item');
    const r = await page.evaluate(() => ({
      xss: window.__xss ?? 0,
      injected: document.querySelectorAll(
        'body img, body svg script, .sidebar svg, .search-results svg, body script:not([type=module])',
      ).length,
      links: [...document.querySelectorAll('a[href]')].filter((a) => /^javascript:/i.test(a.getAttribute('href')))
        .length,
    }));
    await page.keyboard.press('Escape');
    assert(r.xss === 0 && r.injected === 0 && r.links === 0, `markup was interpreted: ${JSON.stringify(r)}`);
  });

  await test('a corrupt file shows the error panel', async () => {
    const corrupt = corruptModel();
    const panelText = () =>
      page.evaluate(() => {
        const p = document.querySelector('.error-panel');
        return p && !p.hidden ? (p.querySelector('.error-message')?.textContent ?? '') : null;
      });
    // Through the file picker (a local file) ...
    await page.setInputFiles('input[type=file]', corrupt);
    let s = await waitSettled(page);
    assert(s.status === 'error', `status ${s.status}`);
    assert(typeof s.error === 'string' && s.error.length > 5 && !/fetch/i.test(s.error), `error ${s.error}`);
    let panel = await panelText();
    assert(panel === s.error, `error panel shows ${panel}`);
    await page.screenshot({ path: resolve(OUT, 'error.png') });
    // ... and through ?url= on a server that serves it.
    const srv = await serve(corrupt);
    await page.goto(`${srv.url}?url=${encodeURIComponent(srv.modelUrl)}`);
    s = await waitSettled(page);
    assert(s.status === 'error' && !/fetch/i.test(s.error ?? ''), `url: ${s.status} ${s.error}`);
    panel = await panelText();
    assert(panel && panel.length > 5, 'no error panel after ?url=');
    const missing = await page.evaluate((u) => window.strata.open(u), `${srv.url}model/missing.onnx`);
    assert(missing.status === 'error' && /404|not found/i.test(missing.error ?? ''), `missing: ${missing.error}`);
    log(`      error shown: ${s.error}`);
  });

  await page.close();

  // ------------------------------------------------------------------ 100k nodes
  const bigSrv = await serve(big);
  const bigPage = await openPage(browser, bigSrv.url, { log: collect('100k'), onRequest: track });

  await test('without cross-origin isolation (a plain static host) the threads copy the columns and all works', async () => {
    const plain = await startServer({ root: DIST, modelPath: sample, crossOriginIsolated: false });
    servers.push(plain);
    const p = await openPage(browser, plain.url, { modelUrl: plain.modelUrl, log: collect('plain'), onRequest: track });
    try {
      const s = await waitSettled(p, 60_000);
      assert(s.status === 'ready' && s.visibleNodes > 0, `status ${s.status} ${s.error ?? ''}`);
      assert(s.sharedColumns === false, 'columns shared in a page that is not cross-origin isolated');
      const matches = await p.evaluate(() => window.strata.search('MatMul'));
      assert(matches.length > 0, 'no MatMul matches');
      const sel = await p.evaluate((n) => window.strata.select(n), matches[0].name);
      assert(sel?.name === matches[0].name, `select returned ${JSON.stringify(sel)}`);
      await p.evaluate(() => window.strata.expandAll());
      const after = await state(p);
      assert(after.expanded > 1 && after.visibleNodes > 0, `expandAll: ${after.expanded} expanded`);
    } finally {
      await p.close();
    }
  });

  await test('cancel stops a load in progress', async () => {
    await bigPage.evaluate((u) => void window.strata.open(u), bigSrv.modelUrl);
    await bigPage.waitForFunction(() => window.strata.state().status === 'loading');
    await bigPage.waitForSelector('.overlay.loading:not([hidden]) button.cancel');
    await bigPage.screenshot({ path: resolve(OUT, 'loading.png') });
    await bigPage.click('.overlay.loading button.cancel');
    await bigPage.waitForFunction(() => window.strata.state().status === 'idle', undefined, { timeout: 10_000 });
  });

  let openMs = 0;
  await test('100k-node model: ready, culled, few draw calls', async () => {
    const t0 = Date.now();
    const s = await bigPage.evaluate((u) => window.strata.open(u), bigSrv.modelUrl);
    openMs = Date.now() - t0;
    assert(s.status === 'ready', `status ${s.status} ${s.error ?? ''}`);
    assert(s.nodes === 100000, `nodes ${s.nodes}`);
    assert(s.visibleNodes > 0, 'nothing visible');
    assert(s.drawCalls <= 12, `drawCalls ${s.drawCalls}`);
    log(
      `      open→first frame ${openMs} ms (decode ${s.timings.decodeMs}, groups ${s.timings.hierarchyMs}, layout ${s.timings.layoutMs}, draw ${s.timings.firstFrameMs})`,
    );
    await bigPage.screenshot({ path: resolve(OUT, 'big-collapsed.png') });
  });

  await test('100k-node model: expand all, zoom in, collapse all', async () => {
    let s = await bigPage.evaluate(() => window.strata.expandAll());
    assert(s.expanded === s.groups, `expanded ${s.expanded} of ${s.groups}`);
    assert(s.drawCalls <= 12, `drawCalls ${s.drawCalls} at expand-all`);
    await bigPage.screenshot({ path: resolve(OUT, 'big-expanded.png') });
    const sel = await bigPage.evaluate(() => window.strata.select('/layers.2600/attn/q_proj/MatMul'));
    assert(sel, 'select in the middle of the model failed');
    s = await state(bigPage);
    assert(s.visibleNodes > 0 && s.visibleNodes < 2000, `visible ${s.visibleNodes} after zooming in`);
    assert(s.drawCalls <= 12, `drawCalls ${s.drawCalls} zoomed in`);
    await bigPage.screenshot({ path: resolve(OUT, 'big-detail.png') });
    // A few pan frames must stay interactive.
    const worst = await bigPage.evaluate(async () => {
      const c = await window.strata.camera();
      let worst = 0;
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        await window.strata.camera({ x: c.x + (i * 40) / c.zoom, y: c.y + (i * 25) / c.zoom });
        worst = Math.max(worst, performance.now() - t);
      }
      return worst;
    });
    log(`      worst pan frame zoomed in: ${worst.toFixed(1)} ms`);
    assert(worst < 1500, `pan frame took ${worst} ms`);
    s = await bigPage.evaluate(() => window.strata.collapseAll());
    assert(s.expanded === 0 && s.visibleNodes > 0, `after collapseAll: ${JSON.stringify(s)}`);
  });
  await bigPage.close();

  await test("no request left the machine: only the page's own 127.0.0.1 origin, data: and blob:", async () => {
    assert(requested.length > 5, `only ${requested.length} requests seen`);
    const local = /^(https?:\/\/127\.0\.0\.1:\d+\/|data:|blob:)/;
    const offOrigin = requested.filter((u) => !local.test(u));
    assert(offOrigin.length === 0, `off-origin requests: ${offOrigin.slice(0, 5).join(', ')}`);
  });

  await test('no unexpected page errors', async () => {
    const unexpected = pageErrors.filter((e) => !/404|Not Found|Failed to load resource/i.test(e));
    assert(unexpected.length === 0, unexpected.slice(0, 5).join('\n'));
  });
} finally {
  await browser.close().catch(() => {});
  for (const s of servers) await s.close().catch(() => {});
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
log(`e2e finished in ${((Date.now() - SUITE_START) / 1000).toFixed(1)} s; screenshots in ${OUT}`);
log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
