import { parentPort, workerData } from 'node:worker_threads';
import { decoders } from '../../src/decode/registry.ts';
import type { ModelDecoder } from '../../src/decode/decoder.ts';
import { checkInput, type CheckOptions } from './check.ts';
import { FuzzPlan, type FuzzCase, type Seed } from './mutate.ts';

/** What the main thread asks a worker to run. */
export interface FuzzJob {
  format: string;
  fileName: string;
  /** A decoder not (yet) in the registry: module path and export name. */
  decoderModule?: { path: string; exportName: string };
  /** Mutation plan over seeds, or a fixed list of cases. */
  seeds?: Seed[];
  iterations?: number;
  baseSeed?: number;
  cases?: FuzzCase[];
  /** Start at this case index (after a restart). */
  from: number;
  /** Every Nth case also goes through registry detection. */
  registryEvery: number;
  options: CheckOptions;
}

export type WorkerMessage =
  | { type: 'at'; index: number }
  | { type: 'failure'; index: number; label: string; stage: string; message: string; bytes: Uint8Array; ms: number }
  | { type: 'done'; stats: FuzzStats };

export interface FuzzStats {
  cases: number;
  ok: number;
  rejected: number;
  failures: number;
  totalMs: number;
  maxMs: number;
  slowest: string;
  bytes: number;
}

async function run(job: FuzzJob): Promise<void> {
  const port = parentPort!;
  const decoder: ModelDecoder | undefined = job.decoderModule
    ? (await import(job.decoderModule.path))[job.decoderModule.exportName]
    : decoders.find((d) => d.id === job.format);
  if (!decoder) throw new Error(`no decoder ${job.format}`);
  const plan = job.seeds ? new FuzzPlan(job.seeds, job.iterations ?? 0, job.baseSeed ?? 0) : null;
  const total = plan ? plan.size : job.cases!.length;
  const stats: FuzzStats = { cases: 0, ok: 0, rejected: 0, failures: 0, totalMs: 0, maxMs: 0, slowest: '', bytes: 0 };
  for (let i = job.from; i < total; i++) {
    port.postMessage({ type: 'at', index: i } satisfies WorkerMessage);
    const c = plan ? plan.case(i) : job.cases![i];
    const viaRegistry = job.registryEvery > 0 && i % job.registryEvery === job.registryEvery - 1;
    const r = await checkInput(decoder, c.bytes, c.fileName ?? job.fileName, { ...job.options, viaRegistry });
    stats.cases++;
    stats.bytes += c.bytes.length;
    stats.totalMs += r.ms;
    if (r.ms > stats.maxMs) {
      stats.maxMs = r.ms;
      stats.slowest = `${c.label} (${c.bytes.length} bytes)`;
    }
    if (r.outcome === 'ok') stats.ok++;
    else if (r.outcome === 'rejected') stats.rejected++;
    else {
      stats.failures++;
      port.postMessage({
        type: 'failure',
        index: i,
        label: `${c.label}${viaRegistry ? ' [via registry]' : ''}`,
        stage: r.stage ?? '',
        message: r.message,
        bytes: c.bytes,
        ms: r.ms,
      } satisfies WorkerMessage);
    }
  }
  port.postMessage({ type: 'done', stats } satisfies WorkerMessage);
}

await run(workerData as FuzzJob);
