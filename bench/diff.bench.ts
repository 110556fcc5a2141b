/**
 * Model diff at scale: a generated 100k-node transformer chain against (1) itself, (2) a copy with a few edits in
 * the middle (a node removed, one added, an attribute changed, a weight perturbed) and (3) a copy with every node
 * and tensor renamed (nothing pairs by name: signatures and propagation do all the work). Times the diff engine
 * (`diffModels`, what the decode worker runs), with and without constant-byte hashing, and the per-group counts;
 * decoding is timed separately. Target: ≤ 3 s per diff at 100k nodes.
 */
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { NodeFileSource } from '../src/decode/io/node-file-source.ts';
import { openModelFile } from '../src/decode/registry.ts';
import { diffModels } from '../src/diff/diff.ts';
import { groupDiffCounts } from '../src/diff/groups.ts';
import type { DiffSide } from '../src/diff/types.ts';
import { buildHierarchy } from '../src/graph/hierarchy/build.ts';
import { chainModel, generated, repoRoot } from '../tests/helpers/models.ts';
import { browserDiff, distBuilt, type BrowserDiffRow } from './diff-browser.ts';
import { median, printTable, quantile, writeResults } from './lib.ts';

const NODES = Number(process.env.DIFF_BENCH_NODES ?? 100_000);
const RUNS = Number(process.env.DIFF_BENCH_RUNS ?? 3);
/** `DIFF_BENCH_BROWSER=0` skips the browser cases (they need `npm run build`). */
const BROWSER = process.env.DIFF_BENCH_BROWSER !== '0';
const variants = resolve(repoRoot, 'tests/helpers/diff_variants.py');

async function open(path: string): Promise<DiffSide & { decodeMs: number }> {
  const source = await NodeFileSource.open(path);
  const t = performance.now();
  const { model } = await openModelFile(source);
  return Object.assign(model, { decodeMs: performance.now() - t });
}

interface CaseRow extends Record<string, string | number> {
  case: string;
  nodes: number;
  bytes: string;
  matched: number;
  added: number;
  removed: number;
  changed: number;
  renamed: number;
  medianMs: number;
  p95Ms: number;
  cpuMs: number;
  matchMs: number;
  groupsMs: number;
}

async function main(): Promise<void> {
  const base = chainModel(NODES);
  const edited = generated(`chain_${NODES}_edited.onnx`, variants, ['edit', base, '$OUT', '--at', '0.5']);
  const renamed = generated(`chain_${NODES}_renamed.onnx`, variants, ['rename', base, '$OUT']);
  const a = await open(base);
  const rows: CaseRow[] = [];
  const hierarchyA = buildHierarchy(a.ir);
  for (const [name, path] of [
    ['itself', base],
    ['few edits', edited],
    ['all renamed', renamed],
  ] as const) {
    const b = await open(path);
    const hierarchyB = buildHierarchy(b.ir);
    for (const bytes of [false, true]) {
      const times: number[] = [];
      const cpu: number[] = [];
      let last = null as Awaited<ReturnType<typeof diffModels>> | null;
      for (let i = 0; i < RUNS + 1; i++) {
        const t = performance.now();
        const c = process.cpuUsage();
        last = await diffModels(a, b, { bytes });
        const used = process.cpuUsage(c);
        // The first run warms the JIT. CPU time is reported too: on a shared machine wall time includes waiting.
        if (i > 0) {
          times.push(performance.now() - t);
          cpu.push((used.user + used.system) / 1000);
        }
      }
      const d = last!;
      const tg = performance.now();
      groupDiffCounts(d, hierarchyA, hierarchyB);
      const groupsMs = performance.now() - tg;
      rows.push({
        case: name,
        nodes: b.ir.nodeCount,
        bytes: bytes ? 'yes' : 'no',
        matched: d.counts.matched,
        added: d.counts.added,
        removed: d.counts.removed,
        changed: d.counts.changed,
        renamed: d.counts.renamed,
        medianMs: median(times),
        p95Ms: quantile(times, 0.95),
        cpuMs: median(cpu),
        matchMs: d.timings.matchMs,
        groupsMs,
      });
    }
    await b.source.close?.();
  }
  await a.source.close?.();
  printTable(
    `diff of ${NODES.toLocaleString('en-US')}-node chains (decode of A: ${a.decodeMs.toFixed(0)} ms, not included)`,
    rows,
  );
  const worst = Math.max(...rows.map((r) => r.medianMs));
  const load = loadavg()[0];
  console.log(
    `\nslowest case ${worst.toFixed(0)} ms wall (target ≤ 3000 ms); load average ${load.toFixed(1)} on ${cpus().length} cores`,
  );

  // The same pairs in a fresh Chromium through ?url=A&compare=B: the diff runs in the decode worker.
  const browser: BrowserDiffRow[] = [];
  if (BROWSER && distBuilt()) {
    for (const [name, path] of [
      ['few edits', edited],
      ['all renamed', renamed],
    ] as const)
      browser.push(await browserDiff(name, base, path));
    printTable(`diff in the browser (decode worker), ${NODES.toLocaleString('en-US')}-node chains`, browser);
    const slowest = Math.max(...browser.map((r) => r.workerDiffMs));
    console.log(
      `\nslowest in-browser diff ${slowest.toFixed(0)} ms (target ≤ 3000 ms); load average ${loadavg()[0].toFixed(1)}`,
    );
  } else if (BROWSER) console.log('\nbrowser cases skipped: run `npm run build` first');
  writeResults('diff', rows, {
    nodes: NODES,
    runs: RUNS,
    targetMs: 3000,
    loadAverage: load,
    browser,
    browserLoadAverage: loadavg()[0],
  });
}

await main();
