/**
 * Layout benchmark: hierarchy + per-group layout on GPT-style exports and a flat (name-stripped) graph.
 * Run: `npm run bench:layout` (or `node --import tsx bench/layout.bench.ts`).
 *
 * Per case and run (fresh engine each run, so caches start empty):
 *   load      hierarchy, edge placement and aggregation (LayoutEngine.load)
 *   first     first layout, everything collapsed; `load + first` is the time to first layout
 *   block     expand one block in the middle of the model (with its chunk ancestors), ELK warm
 *   next      then expand the next block as well (the common interactive step)
 *   all       then expand every group (same engine: what the steps before cached is reused, as in a session)
 *   allAgain  the same again (all from cache: emission only)
 * ELK's one-off warm-up (loading and JIT-compiling elkjs; the engine starts it in the background right after
 * the first layout) is reported separately. Env: BENCH_RUNS (default 3 for ≤10k nodes, 2 above), BENCH_CASES (comma-separated
 * names), BENCH_EXPORT=1 to export real 100k/300k GPTs that are not cached yet (slow: torch needs more
 * than 45 min for 780 layers here; without it those cases tile the blocks of the 10k export), BENCH_1M=1 adds
 * a synthetic 1M-node case, BENCH_OUT overrides the results file.
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFile } from '../src/decode/decode-file.ts';
import type { Hierarchy } from '../src/graph/hierarchy/types.ts';
import type { GraphIR } from '../src/graph/ir.ts';
import { LayoutEngine } from '../src/layout/engine.ts';
import { gptExport } from '../tests/helpers/models.ts';
import { cacheDir, stripNames, syntheticTransformer, tileGptBlocks } from './models.ts';

const here = dirname(fileURLToPath(import.meta.url));
const sharedGpt10k = resolve(here, '../../shared/models/onnx/gpt_decoder_10k.onnx');

interface Case {
  name: string;
  source: string;
  ir: () => Promise<GraphIR>;
  /** Innermost groups to expand for `block` and `next`. */
  blocks: (h: Hierarchy, ir: GraphIR) => [number, number];
}

const METRICS = ['load', 'first', 'block', 'next', 'all', 'allAgain'] as const;
type Metric = (typeof METRICS)[number];

const byPath = (h: Hierarchy, path: string) => {
  const g = h.groupPath.indexOf(path);
  if (g < 0) throw new Error(`no group ${path}`);
  return g;
};
/** GPT exports: blocks are `h.<i>`. */
const gptBlocks =
  (layers: number) =>
  (h: Hierarchy): [number, number] => [byPath(h, `h.${layers >> 1}`), byPath(h, `h.${(layers >> 1) + 1}`)];
/** Flat graphs: the innermost groups of two nodes ~150 apart in the middle of the dataflow order. */
const middleGroups = (h: Hierarchy, ir: GraphIR): [number, number] => {
  const order = new Uint32Array(ir.nodeCount);
  for (let v = 0; v < ir.nodeCount; v++) order[h.nodeRank[v]] = v;
  const mid = ir.nodeCount >> 1;
  return [h.nodeGroup[order[mid]], h.nodeGroup[order[Math.min(ir.nodeCount - 1, mid + 150)]]];
};

const cached = (file: string) => existsSync(resolve(cacheDir, file));
/** Exported models when cached (or when BENCH_EXPORT=1 asks to export them: 780 layers take ~45 min here). */
const exportOk = (file: string) => cached(file) || process.env.BENCH_EXPORT === '1';

let gpt10k: GraphIR | null = null;
const loadGpt10k = async () => (gpt10k ??= await decodeFile(sharedGpt10k));
let gpt100k: GraphIR | null = null;
const loadGpt100k = async () =>
  (gpt100k ??= exportOk('gpt_780L_16d.onnx')
    ? await decodeFile(gptExport(780))
    : tileGptBlocks(await loadGpt10k(), 10));
const gpt100kSource = exportOk('gpt_780L_16d.onnx')
  ? 'export_gpt_decoder.py 780 16 2'
  : 'gpt_decoder_10k.onnx blocks tiled ×10 (780 layers; export not cached)';

const CASES: Case[] = [
  {
    name: 'gpt-10k',
    source: 'shared/models/onnx/gpt_decoder_10k.onnx (78 layers)',
    ir: loadGpt10k,
    blocks: gptBlocks(78),
  },
  { name: 'gpt-100k', source: gpt100kSource, ir: loadGpt100k, blocks: gptBlocks(780) },
  {
    name: 'flat-100k',
    source: 'gpt-100k with node/tensor names stripped',
    ir: async () => stripNames(await loadGpt100k()),
    blocks: middleGroups,
  },
  exportOk('gpt_2340L_16d.onnx')
    ? {
        name: 'gpt-300k',
        source: 'export_gpt_decoder.py 2340 16 2',
        ir: async () => decodeFile(gptExport(2340)),
        blocks: gptBlocks(2340),
      }
    : {
        name: 'gpt-300k',
        source: 'gpt_decoder_10k.onnx blocks tiled ×30 (2340 layers; torch export too slow)',
        ir: async () => tileGptBlocks(await loadGpt10k(), 30),
        blocks: gptBlocks(2340),
      },
  {
    name: 'synthetic-1m',
    source: 'bench/models.ts syntheticTransformer(31250): 32-op blocks, dense scopes (BENCH_1M=1)',
    ir: async () => syntheticTransformer(31250),
    blocks: (h) => [byPath(h, 'blocks.15625'), byPath(h, 'blocks.15626')],
  },
];
const DEFAULT_CASES = [
  'gpt-10k',
  'gpt-100k',
  'flat-100k',
  'gpt-300k',
  ...(process.env.BENCH_1M === '1' ? ['synthetic-1m'] : []),
];

interface Result {
  name: string;
  source: string;
  nodes: number;
  groups: number;
  maxDirectChildren: number;
  decodeMs: number;
  elkWarmupMs: number;
  runs: number;
  /** Medians. */
  ms: Record<Metric, number> & { timeToFirstLayout: number };
  p95: Record<Metric, number>;
  collapsed: { boxes: number; edges: number };
  expandedAll: {
    boxes: number;
    edges: number;
    elkCalls: number;
    fastCalls: number;
    stableCalls: number;
    cacheHits: number;
    elkMs: number;
  };
}

async function runCase(c: Case): Promise<Result> {
  const t0 = performance.now();
  const ir = await c.ir();
  const decodeMs = performance.now() - t0;
  const runs = Number(process.env.BENCH_RUNS ?? (ir.nodeCount > 20_000 ? 2 : 3));
  const samples: Record<Metric, number[]> = { load: [], first: [], block: [], next: [], all: [], allAgain: [] };
  let elkWarmupMs = 0;
  let res: Omit<Result, 'ms' | 'p95' | 'runs' | 'decodeMs' | 'elkWarmupMs'> | null = null;
  for (let r = 0; r < runs; r++) {
    const engine = new LayoutEngine();
    let t = performance.now();
    const h = await engine.group(ir);
    samples.load.push(performance.now() - t);
    t = performance.now();
    const collapsed = await engine.layout(new Uint32Array(0));
    samples.first.push(performance.now() - t);
    t = performance.now();
    await engine.warmUp();
    if (r === 0) elkWarmupMs = performance.now() - t;

    const [b1, b2] = c.blocks(h, ir);
    const anc = (g: number) => {
      const out: number[] = [];
      for (let x = g; x > 0; x = h.groupParent[x]) out.push(x);
      return out;
    };
    const open1 = anc(b1);
    t = performance.now();
    await engine.layout(Uint32Array.from(open1));
    samples.block.push(performance.now() - t);
    const open2 = [...new Set([...open1, ...anc(b2)])];
    t = performance.now();
    await engine.layout(Uint32Array.from(open2));
    samples.next.push(performance.now() - t);

    const all = Uint32Array.from({ length: h.groupCount }, (_, i) => i);
    t = performance.now();
    const expanded = await engine.layout(all);
    samples.all.push(performance.now() - t);
    const stAll = engine.lastStats;
    t = performance.now();
    await engine.layout(all);
    samples.allAgain.push(performance.now() - t);

    let maxDirect = 0;
    for (let g = 0; g < h.groupCount; g++)
      maxDirect = Math.max(maxDirect, h.groupItemOffsets[g + 1] - h.groupItemOffsets[g]);
    res = {
      name: c.name,
      source: c.source,
      nodes: ir.nodeCount,
      groups: h.groupCount,
      maxDirectChildren: maxDirect,
      collapsed: { boxes: collapsed.boxCount, edges: collapsed.edgeCount },
      expandedAll: {
        boxes: expanded.boxCount,
        edges: expanded.edgeCount,
        elkCalls: stAll.elkCalls,
        fastCalls: stAll.fastCalls,
        stableCalls: stAll.stableCalls,
        cacheHits: stAll.cacheHits,
        elkMs: Math.round(stAll.elkMs),
      },
    };
  }
  const med = {} as Record<Metric, number>;
  const p95 = {} as Record<Metric, number>;
  for (const m of METRICS) {
    med[m] = round(quantile(samples[m], 0.5));
    p95[m] = round(quantile(samples[m], 0.95));
  }
  return {
    ...res!,
    decodeMs: round(decodeMs),
    elkWarmupMs: round(elkWarmupMs),
    runs,
    ms: { ...med, timeToFirstLayout: round(med.load + med.first) },
    p95,
  };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
}

const round = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const only = process.env.BENCH_CASES?.split(',') ?? DEFAULT_CASES;
  const results: Result[] = [];
  for (const c of CASES) {
    if (!only.includes(c.name)) continue;
    process.stdout.write(`${c.name} … `);
    const r = await runCase(c);
    results.push(r);
    console.log(`${r.nodes} nodes, ${r.groups} groups`);
  }
  const head = [
    'case',
    'nodes',
    'groups',
    'load',
    'first',
    'load+first',
    'block',
    'next',
    'all',
    'allAgain',
    'ELK calls (all)',
    'boxes (all)',
  ];
  const rows = results.map((r) =>
    [
      r.name,
      r.nodes,
      r.groups,
      r.ms.load,
      r.ms.first,
      r.ms.timeToFirstLayout,
      r.ms.block,
      r.ms.next,
      r.ms.all,
      r.ms.allAgain,
      r.expandedAll.elkCalls,
      r.expandedAll.boxes,
    ].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\nlayout (ms, median of runs; ELK warm-up reported separately)\n${line(head)}`);
  for (const r of rows) console.log(line(r));
  for (const r of results)
    console.log(`${r.name}: decode ${r.decodeMs} ms, ELK warm-up ${r.elkWarmupMs} ms, runs ${r.runs}`);

  const cpus = os.cpus();
  const out = {
    name: 'layout',
    machine: {
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.platform()} ${os.release()}`,
      node: process.version,
      loadAverage: os.loadavg().map(round),
    },
    date: new Date().toISOString(),
    cases: results,
  };
  const file = process.env.BENCH_OUT ? resolve(process.env.BENCH_OUT) : resolve(here, 'results/layout.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
}

await main();
