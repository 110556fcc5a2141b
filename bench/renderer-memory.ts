// Where the renderer's memory goes once a model is drawn: the renderer process's resident size (/proc) and, per
// JS target (the page, the decode worker, the layout worker), the V8 heap and the ArrayBuffer backing stores.
// `node --import tsx bench/renderer-memory.ts [model.onnx]` (default: the 1M-node chain); needs `npm run build`.
import { resolve } from 'node:path';
import { type CDPSession, chromium } from 'playwright-core';
import { startServer } from '../src/cli/server.ts';
import { chainModel, repoRoot } from '../tests/helpers/models.ts';
import { rendererRssMb } from './first-frame.ts';
import { BENCH_FLAGS, waitForModel } from './page.ts';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const MB = 1 << 20;

interface HeapUsage {
  usedSize: number;
  totalSize: number;
  embedderHeapUsedSize?: number;
  backingStorageSize?: number;
}

/** Sends one command to a target through the browser session (non-flat attach: messages wrapped in Target.*). */
function targetCaller(browserSession: CDPSession) {
  let nextId = 1;
  const waiting = new Map<number, (r: unknown) => void>();
  browserSession.on('Target.receivedMessageFromTarget', (e) => {
    const msg = JSON.parse(e.message) as { id?: number; result?: unknown; error?: unknown };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result ?? msg.error);
  });
  return (sessionId: string, method: string, params: object = {}) =>
    new Promise<unknown>((done) => {
      const id = nextId++;
      waiting.set(id, done);
      void browserSession.send('Target.sendMessageToTarget', {
        sessionId,
        message: JSON.stringify({ id, method, params }),
      });
    });
}

async function main() {
  const file = process.argv[2] ? resolve(process.argv[2]) : chainModel(1_000_000);
  const server = await startServer({ root: resolve(repoRoot, process.env.BENCH_DIST ?? 'dist'), modelPath: file });
  const browserServer = await chromium.launchServer({ executablePath: CHROMIUM, headless: true, args: BENCH_FLAGS });
  const browser = await chromium.connect(browserServer.wsEndpoint());
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}?url=${encodeURIComponent(server.modelUrl ?? '')}`);
    const state = await waitForModel(page, 900_000);
    if (state.status !== 'ready') throw new Error(state.error);
    const pid = browserServer.process().pid ?? 0;
    console.log(`nodes ${state.nodes}  timings ${JSON.stringify(state.timings)}`);
    // Idle workers collect their garbage only when V8's memory reducer gets to them: RSS over the first seconds.
    let waited = 0;
    for (const at of [0, 2000, 10000, 20000]) {
      await page.waitForTimeout(at - waited);
      waited = at;
      console.log(`renderer RSS ${at / 1000} s after the first frame: ${rendererRssMb(pid)} MB`);
    }
    const pageSession = await page.context().newCDPSession(page);
    const { targetInfos } = (await pageSession.send('Target.getTargets')) as {
      targetInfos: { targetId: string; type: string; url: string }[];
    };
    const call = targetCaller(pageSession);
    for (const t of targetInfos.filter((i) => i.type === 'page' || i.type === 'worker')) {
      const { sessionId } = (await pageSession.send('Target.attachToTarget', {
        targetId: t.targetId,
        flatten: false,
      })) as { sessionId: string };
      const fmt = (n: number | undefined) => (n === undefined ? '?' : (n / MB).toFixed(1));
      const usage = async () => {
        const heap = (await call(sessionId, 'Runtime.getHeapUsage')) as HeapUsage;
        return `heap used ${fmt(heap.usedSize)} / total ${fmt(heap.totalSize)} MB, ArrayBuffers ${fmt(heap.backingStorageSize)} MB`;
      };
      const before = await usage();
      await call(sessionId, 'HeapProfiler.collectGarbage');
      console.log(`${t.type.padEnd(6)} ${t.url.split('/').pop()?.slice(0, 24).padEnd(24)}`);
      console.log(`  before GC: ${before}\n  after GC:  ${await usage()}`);
    }
    console.log(`renderer RSS after GC: ${rendererRssMb(pid)} MB`);
  } finally {
    await browser.close().catch(() => {});
    await browserServer.close();
    await server.close();
  }
}

await main();
