// First-frame bench: navigation start to the model's first frame, a fresh settled browser per model, Chromium's
// default frame pacing (see first-frame.ts). `npm run bench:first-frame` (builds first); bench:frame runs it too.
// Env: BENCH_FIRST_SIZES=1000,5000,20000,100000,300000,1000000 (chains); BENCH_FIRST_RUNS=3 (median);
// BENCH_FIRST_ONLY=<substring> to measure only matching models.
import { loadavg } from 'node:os';
import { printTable, writeResults } from './lib.ts';
import { DEFAULT_FLAGS, firstFrameModels, measureFirstFrame, type FirstFrameResult } from './first-frame.ts';

export const FIRST_FRAME_TARGETS: { upTo: number; ms: number }[] = [
  { upTo: 5_000, ms: 1000 },
  { upTo: 20_000, ms: 1500 },
  { upTo: 100_000, ms: 2500 },
  { upTo: 1_000_000, ms: 8000 },
];

export function targetMs(nodes: number): number | undefined {
  return FIRST_FRAME_TARGETS.find((t) => nodes <= t.upTo)?.ms;
}

export async function runFirstFrame(write = true): Promise<FirstFrameResult[]> {
  const sizes = (process.env.BENCH_FIRST_SIZES ?? '1000,5000,20000,100000,300000,1000000')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const runs = Math.max(1, Number(process.env.BENCH_FIRST_RUNS ?? 3));
  const only = process.env.BENCH_FIRST_ONLY;
  const results: FirstFrameResult[] = [];
  for (const model of firstFrameModels(sizes)) {
    if (only && !model.name.includes(only)) continue;
    process.stdout.write(`first frame: ${model.name}…\n`);
    results.push(await measureFirstFrame(model, runs));
  }
  const rows = results.map((r) => ({
    model: r.model,
    nodes: r.nodes,
    'first frame ms': r.firstFrameMs,
    target: targetMs(r.nodes) ?? '',
    runs: r.runsMs.join(' / '),
    'renderer ready': r.phases.startupMs ?? '',
    decode: r.phases.decodeMs ?? '',
    rows: r.phases.boxRowsMs ?? '',
    groups: r.phases.hierarchyMs ?? '',
    layout: r.phases.layoutMs ?? '',
    handoff: r.phases.handoffMs ?? '',
    draw: r.phases.drawMs ?? '',
    'renderer MB': r.rendererRssMb,
  }));
  printTable(`first frame (fresh browser per model, idle 3 s, default flags; load ${loadavg()[0].toFixed(1)})`, rows);
  if (write)
    writeResults('first-frame', results, {
      flags: DEFAULT_FLAGS,
      runsPerModel: runs,
      loadAverage: loadavg().map((x) => Math.round(x * 10) / 10),
    });
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runFirstFrame().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
