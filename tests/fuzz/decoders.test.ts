import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../src/decode/io/byte-source.ts';
import { decoders, openModelFile } from '../../src/decode/registry.ts';
import type { ModelDecoder } from '../../src/decode/decoder.ts';
import { valueElementCount } from '../../src/graph/ir.ts';
import { summarize } from '../../src/graph/summary.ts';
import { validateIR } from '../../src/graph/validate.ts';
import { pb, concat, modelProto, graphProto } from '../helpers/protobuf-writer.ts';
import { repoRoot } from '../helpers/models.ts';
import { hostileOnnxCases, manyNodes, streamedOnnx } from './hostile-onnx.ts';
import { formatFailures, runInWorker, type RunResult } from './run-worker.ts';
import { SEED_FILES, fileNameFor, loadSeeds } from './seeds.ts';

/**
 * Decoder fuzzing. Property, for every input: a GraphIR that passes validateIR, or a DecodeError naming the file,
 * within TIME_LIMIT_MS; never a hang, crash, or any other exception. Runs in worker threads so a hang or an
 * out-of-memory is caught and reported with the input that caused it (saved under .cache/fuzz-failures/).
 *
 * FUZZ_ITERATIONS: random mutations per format (default small for `npm test`; `npm run fuzz` runs 20000).
 * FUZZ_SEED: base seed of the mutations (default fixed, so `npm test` is deterministic).
 * FUZZ_DECODERS: `src/decode/x/index.ts#xDecoder,...` also fuzzes decoders not registered yet (work in progress).
 * FUZZ_DOWNSTREAM=0: check the decode only, not summary / hierarchy / node details / tensor previews of the result.
 */
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 300);
const BASE_SEED = Number(process.env.FUZZ_SEED ?? 20251123);
const TIME_LIMIT_MS = 1000;
const DOWNSTREAM = process.env.FUZZ_DOWNSTREAM !== '0';
const timeout = 120_000 + ITERATIONS * 20;

interface Target {
  decoder: ModelDecoder;
  decoderModule?: { path: string; exportName: string };
}
const extra: Target[] = await Promise.all(
  (process.env.FUZZ_DECODERS ?? '')
    .split(',')
    .filter(Boolean)
    .map(async (spec) => {
      const [file, exportName] = spec.split('#');
      const path = resolve(repoRoot, file);
      return { decoder: (await import(path))[exportName] as ModelDecoder, decoderModule: { path, exportName } };
    }),
);
const targets: Target[] = [
  ...decoders.map((decoder) => ({ decoder })),
  ...extra.filter((e) => !decoders.some((d) => d.id === e.decoder.id)),
];

function report(name: string, r: RunResult): void {
  const s = r.stats;
  console.log(
    `[fuzz] ${name}: ${s.cases} cases (${s.ok} decoded, ${s.rejected} rejected, ${r.failures.length} failures), ` +
      `decode total ${(s.totalMs / 1000).toFixed(1)} s, mean ${(s.totalMs / Math.max(1, s.cases)).toFixed(2)} ms, ` +
      `max ${s.maxMs.toFixed(0)} ms (${s.slowest.slice(0, 120)})`,
  );
}

function expectClean(name: string, r: RunResult): void {
  report(name, r);
  if (r.failures.length) expect.fail(`${name}: ${r.failures.length} failing inputs\n${formatFailures(r.failures)}`);
}

describe('decoder fuzzing', () => {
  it('has seed files for every registered decoder', () => {
    for (const d of decoders) {
      expect(SEED_FILES[d.id]?.length ?? 0, `add seeds for "${d.id}" to tests/fuzz/seeds.ts`).toBeGreaterThan(0);
      expect(loadSeeds(d.id).length, `no seed file for "${d.id}" exists on this machine`).toBeGreaterThan(0);
    }
  });

  for (const { decoder: d, decoderModule } of targets) {
    it(
      `${d.id}: every structural truncation and ${ITERATIONS} random mutations of its seeds`,
      async () => {
        const seeds = loadSeeds(d.id);
        expect(seeds.length, `no seeds for ${d.id}`).toBeGreaterThan(0);
        const r = await runInWorker({
          format: d.id,
          decoderModule,
          fileName: fileNameFor(d.id),
          seeds,
          iterations: ITERATIONS,
          baseSeed: BASE_SEED,
          from: 0,
          registryEvery: decoderModule ? 0 : 5,
          options: { timeLimitMs: TIME_LIMIT_MS, downstream: DOWNSTREAM },
        });
        expectClean(`${d.id} mutations`, r);
        expect(r.stats.ok, 'some mutants should still decode').toBeGreaterThan(0);
        expect(r.stats.rejected, 'some mutants should be rejected').toBeGreaterThan(0);
      },
      timeout,
    );
  }

  it("every decoder rejects or decodes the other formats' seeds (and their truncations) cleanly", async () => {
    const foreign = Object.keys(SEED_FILES).flatMap((f) =>
      loadSeeds(f).flatMap((s) => [
        { label: `${s.label} as is`, bytes: s.bytes },
        { label: `${s.label} first 64 bytes`, bytes: s.bytes.slice(0, 64) },
        { label: `${s.label} first 4 KiB`, bytes: s.bytes.slice(0, 4096) },
      ]),
    );
    const generic = [
      { label: 'empty file', bytes: new Uint8Array(0) },
      { label: 'one zero byte', bytes: new Uint8Array(1) },
      { label: '64 KiB of zeros', bytes: new Uint8Array(64 << 10) },
      { label: '64 KiB of 0xff', bytes: new Uint8Array(64 << 10).fill(0xff) },
      { label: '64 KiB of 0x0a', bytes: new Uint8Array(64 << 10).fill(0x0a) },
      { label: '64 KiB of "{"', bytes: new Uint8Array(64 << 10).fill(0x7b) },
      { label: '64 KiB of "["', bytes: new Uint8Array(64 << 10).fill(0x5b) },
    ];
    for (const { decoder: d, decoderModule } of targets) {
      const r = await runInWorker({
        format: d.id,
        decoderModule,
        fileName: fileNameFor(d.id),
        cases: [...foreign, ...generic],
        from: 0,
        registryEvery: decoderModule ? 0 : 2,
        options: { timeLimitMs: TIME_LIMIT_MS, downstream: DOWNSTREAM },
      });
      expectClean(`${d.id} fed every format`, r);
    }
  }, 120_000);

  it('onnx: hand-made hostile inputs (deep nesting, lying lengths, cycles, duplicates, huge dims)', async () => {
    const cases = hostileOnnxCases();
    const r = await runInWorker({
      format: 'onnx',
      fileName: fileNameFor('onnx'),
      cases,
      from: 0,
      registryEvery: 0,
      options: { timeLimitMs: TIME_LIMIT_MS, downstream: DOWNSTREAM },
    });
    expectClean('onnx hostile', r);
    expect(r.stats.cases).toBe(cases.length);
  }, 120_000);

  it(
    'onnx: truncations and mutations of a model whose messages are streamed (> 16 MiB each)',
    async () => {
      const seed = { label: 'generated/streamed.onnx', bytes: streamedOnnx(), kind: 'protobuf' as const };
      const r = await runInWorker({
        format: 'onnx',
        fileName: fileNameFor('onnx'),
        seeds: [seed],
        iterations: Math.max(10, Math.round(ITERATIONS / 20)),
        baseSeed: BASE_SEED,
        from: 0,
        registryEvery: 0,
        options: { timeLimitMs: TIME_LIMIT_MS, downstream: DOWNSTREAM },
      });
      expectClean('onnx streamed', r);
      expect(r.stats.ok).toBeGreaterThan(0);
    },
    timeout,
  );
});

describe('decoding stays bounded', () => {
  const heap = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };

  it('a model with 2^62-element tensors decodes without touching their payload', async () => {
    const bytes = modelProto({
      graph: graphProto({
        initializers: [
          { name: 'w', dims: [2n ** 31n, 2n ** 31n], raw: new Uint8Array(4) },
          { name: 'v', dims: [2n ** 62n], raw: new Uint8Array(4) },
        ],
        nodes: [{ op: 'MatMul', inputs: ['w', 'v'], outputs: ['y'] }],
        outputs: [{ name: 'y', shape: [2n ** 62n] }],
      }),
    });
    const before = heap();
    const t0 = performance.now();
    const { ir } = (await openModelFile(new BufferSource(bytes, 'huge.onnx'))).model;
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(heap() - before).toBeLessThan(64 << 20);
    expect(validateIR(ir)).toEqual([]);
    expect(
      valueElementCount(
        ir,
        [...ir.valueName].findIndex((n) => ir.strings.at(n) === 'v'),
      ),
    ).toBe(2 ** 62);
    expect(summarize(ir).parameters).toBeGreaterThan(2 ** 62);
  });

  it('two million empty-named nodes decode in linear time and memory', async () => {
    const n = 2_000_000;
    const bytes = manyNodes(n, new Uint8Array(0));
    expect(bytes.length).toBeLessThan(5 * n);
    const before = heap();
    const t0 = performance.now();
    const { ir } = (await openModelFile(new BufferSource(bytes, 'many.onnx'))).model;
    const ms = performance.now() - t0;
    const grown = heap() - before;
    console.log(
      `[fuzz] ${n} empty nodes (${(bytes.length / 1e6).toFixed(1)} MB): ${ms.toFixed(0)} ms, heap +${(grown / 1e6).toFixed(0)} MB`,
    );
    expect(ir.nodeCount).toBe(n);
    expect(validateIR(ir)).toEqual([]);
    // Generous bounds (2 cores shared with other tests): well under a microsecond-scale per node, ~200 bytes per node.
    expect(ms).toBeLessThan(15_000);
    expect(grown).toBeLessThan(n * 200);
  }, 60_000);

  it('half a million nodes sharing one name and op stay linear', async () => {
    const n = 500_000;
    const bytes = manyNodes(n, concat(pb.string(4, 'Op'), pb.string(1, 'x'), pb.string(2, 'x')));
    const before = heap();
    const t0 = performance.now();
    const { ir } = (await openModelFile(new BufferSource(bytes, 'shared.onnx'))).model;
    const ms = performance.now() - t0;
    expect(ir.nodeCount).toBe(n);
    expect(ir.valueCount).toBe(1);
    expect(validateIR(ir)).toEqual([]);
    expect(ms).toBeLessThan(15_000);
    expect(heap() - before).toBeLessThan(n * 250);
  }, 60_000);
});
