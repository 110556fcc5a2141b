import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FuzzJob, FuzzStats, WorkerMessage } from './fuzz-worker.ts';
import { FuzzPlan, type FuzzCase } from './mutate.ts';

const ENTRY = fileURLToPath(new URL('./fuzz-worker.mjs', import.meta.url));
export const FAILURE_DIR = resolve(fileURLToPath(new URL('../../.cache/fuzz-failures', import.meta.url)));

/** No progress message for this long means the decoder hangs (a decode should take well under a second). */
const HANG_MS = 15_000;
/** The first message also waits for tsx to load the harness. */
const STARTUP_MS = 60_000;
const MAX_RESTARTS = 8;
/** Heap cap per worker: a decoder that amplifies a small file into gigabytes dies here, not in the test runner. */
const HEAP_MB = 1536;

export interface Failure {
  label: string;
  stage: string;
  message: string;
  file: string;
}

export interface RunResult {
  stats: FuzzStats;
  failures: Failure[];
}

/**
 * Runs a fuzz job in a worker thread, watching it: a hang (no progress for HANG_MS) or a crash (out of memory)
 * is recorded against the case that was running, which is regenerated and saved, and the job resumes after it.
 */
export async function runInWorker(job: FuzzJob): Promise<RunResult> {
  const failures: Failure[] = [];
  const total: FuzzStats = { cases: 0, ok: 0, rejected: 0, failures: 0, totalMs: 0, maxMs: 0, slowest: '', bytes: 0 };
  const plan = job.seeds ? new FuzzPlan(job.seeds, job.iterations ?? 0, job.baseSeed ?? 0) : null;
  const caseAt = (i: number): FuzzCase => (plan ? plan.case(i) : job.cases![i]);
  let from = job.from;
  for (let restart = 0; restart <= MAX_RESTARTS; restart++) {
    const outcome = await new Promise<{ done: boolean; at: number; why?: string }>((done) => {
      const worker = new Worker(ENTRY, {
        workerData: { ...job, from },
        resourceLimits: { maxOldGenerationSizeMb: HEAP_MB },
      });
      let at = from - 1;
      let last = Date.now();
      let started = false;
      let finished = false;
      const finish = (r: { done: boolean; at: number; why?: string }) => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        void worker.terminate();
        done(r);
      };
      const timer = setInterval(() => {
        if (Date.now() - last > (started ? HANG_MS : STARTUP_MS))
          finish({ done: false, at, why: `hang: no progress for ${started ? HANG_MS : STARTUP_MS} ms` });
      }, 500);
      worker.on('message', (m: WorkerMessage) => {
        last = Date.now();
        started = true;
        if (m.type === 'at') at = m.index;
        else if (m.type === 'failure') failures.push(save(job.format, m.index, m.label, m.stage, m.message, m.bytes));
        else if (m.type === 'done') {
          merge(total, m.stats);
          finish({ done: true, at });
        }
      });
      worker.on('error', (err: Error & { code?: string }) =>
        finish({ done: false, at, why: `worker died: ${err.code ?? ''} ${err.message}` }),
      );
      worker.on('exit', (code) => finish({ done: false, at, why: `worker exited with code ${code}` }));
    });
    if (outcome.done) break;
    if (outcome.at < from) {
      // Died before its first case: a harness problem, not a decoder one.
      throw new Error(`fuzz worker for ${job.format} failed to start: ${outcome.why}`);
    }
    const c = caseAt(outcome.at);
    failures.push(save(job.format, outcome.at, c.label, 'crash', outcome.why ?? 'worker stopped', c.bytes));
    from = outcome.at + 1;
    if (restart === MAX_RESTARTS)
      failures.push({ label: '(gave up)', stage: 'crash', message: 'too many crashes', file: '' });
  }
  return { stats: total, failures };
}

function merge(into: FuzzStats, s: FuzzStats): void {
  into.cases += s.cases;
  into.ok += s.ok;
  into.rejected += s.rejected;
  into.failures += s.failures;
  into.totalMs += s.totalMs;
  into.bytes += s.bytes;
  if (s.maxMs > into.maxMs) {
    into.maxMs = s.maxMs;
    into.slowest = s.slowest;
  }
}

function save(
  format: string,
  index: number,
  label: string,
  stage: string,
  message: string,
  bytes: Uint8Array,
): Failure {
  mkdirSync(FAILURE_DIR, { recursive: true });
  const file = resolve(FAILURE_DIR, `${format}-${index}.bin`);
  writeFileSync(file, bytes);
  return { label, stage, message, file };
}

export function formatFailures(failures: Failure[]): string {
  return (
    failures
      .slice(0, 20)
      .map((f) => `  [${f.stage}] ${f.label}\n      ${f.message}\n      saved: ${f.file}`)
      .join('\n') + (failures.length > 20 ? `\n  … and ${failures.length - 20} more` : '')
  );
}
