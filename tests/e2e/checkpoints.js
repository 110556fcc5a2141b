// End-to-end cases for weights-only LLM checkpoints (GGUF, safetensors with its Hugging Face folder), run by the
// main suite: `await runCheckpoints({ test, assert, page, browser, serve, collect, track })` from tests/e2e/run.js.
import { resolve } from 'node:path';
import { openPage, repoRoot, waitSettled } from './browser.js';

const models = resolve(repoRoot, '../shared/models');
const state = (page) => page.evaluate(() => window.strata.state());

/** Opens `files` through the file picker and waits for the model named `file` to settle. */
async function pick(page, files, file) {
  await page.setInputFiles('input[type=file]', files);
  await page.waitForFunction((f) => window.strata.state().file === f, file);
  return waitSettled(page);
}

export async function run({ test, assert, page, browser, serve, collect, track }) {
  await test('file picker opens a GGUF llama as its block dataflow', async () => {
    const s = await pick(page, resolve(models, 'gguf/llama-2-tiny-random.gguf'), 'llama-2-tiny-random.gguf');
    // 12 modules + attention, gated activation and two residual adds.
    assert(s.status === 'ready' && s.nodes === 16, `gguf: ${s.status} ${s.nodes} ${s.error ?? ''}`);
    const sel = await page.evaluate(() => window.strata.select('blk.0.attn_q'));
    assert(sel, 'blk.0.attn_q not selectable');
    const props = await page.evaluate(() => document.querySelector('.sidebar')?.textContent ?? '');
    assert(/Linear/.test(props), `gguf properties: ${props.slice(0, 200)}`);
  });

  await test('file picker opens a Hugging Face folder: the weights with config.json and tokenizer files alongside', async () => {
    const dir = resolve(models, 'hf/fake_gpt2');
    const files = [
      'config.json',
      'generation_config.json',
      'tokenizer_config.json',
      'special_tokens_map.json',
      'model.safetensors',
      'merges.txt',
    ].map((f) => resolve(dir, f));
    const s = await pick(page, files, 'model.safetensors');
    assert(s.status === 'ready' && s.nodes === 14, `safetensors: ${s.status} ${s.nodes} ${s.error ?? ''}`);
    const props = await page.evaluate(() => document.body.textContent ?? '');
    assert(/gpt2/.test(props), 'config.model_type not shown');
  });

  await test('?url= opens a GGUF and a safetensors model (config.json served beside it)', async () => {
    for (const [path, nodes] of [
      ['gguf/llama-2-tiny-random.gguf', 16],
      ['hf/tiny_gpt2/model.safetensors', 14],
    ]) {
      const srv = await serve(resolve(models, path));
      const p = await openPage(browser, srv.url, { modelUrl: srv.modelUrl, log: collect(path), onRequest: track });
      try {
        const s = await waitSettled(p);
        assert(s.status === 'ready' && s.nodes === nodes, `${path} via url: ${s.status} ${s.nodes} ${s.error ?? ''}`);
        if (path.endsWith('.safetensors')) {
          const meta = await p.evaluate(() => document.body.textContent ?? '');
          assert(/GPT2Tokenizer|gpt2/.test(meta), `${path}: config.json was not read beside the weights`);
          // Module paths group: h.0 › attn, h.0 › mlp.
          const st = await state(p);
          assert(st.groups > 0, `${path}: no groups`);
        }
      } finally {
        await p.close();
      }
    }
  });
}
