/**
 * Decode throughput: MB/s and nodes/s (median of several runs) on a real torch.onnx export (10k nodes), generated
 * transformer chains of 100k and 300k nodes, a 500 MB weight-heavy file, and the real files of other formats that
 * `npm run fetch-models` brings (Keras .h5, ncnn with its .bin, TF GraphDef, TF.js). "read MB" counts every byte
 * read, companion files included. Each case runs in its own process so peak RSS belongs to that case alone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeFileSource } from '../src/decode/io/node-file-source.ts';
import type { ByteSource } from '../src/decode/io/byte-source.ts';
import { openModelFile } from '../src/decode/registry.ts';
import { chainModel, repoRoot, sharedModels, weightHeavy } from '../tests/helpers/models.ts';
import { median, printTable, writeResults } from './lib.ts';
import { nameFloor } from './name-floor.ts';

interface CaseResult {
  name: string;
  file: string;
  sizeMB: number;
  nodes: number;
  runs: number;
  /** The first decode in a fresh process: what a user opening one file waits for. */
  coldMs: number;
  medianMs: number;
  minMs: number;
  mbPerS: number;
  nodesPerS: number;
  bytesReadMB: number;
  peakRssMB: number;
}

async function runCase(name: string, file: string, runs: number): Promise<CaseResult> {
  const times: number[] = [];
  let nodes = 0;
  let bytesRead = 0;
  let coldMs = 0;
  for (let i = 0; i < runs + WARMUP; i++) {
    const source = await NodeFileSource.open(file);
    let read = 0;
    const count = (s: ByteSource): ByteSource => ({
      name: s.name,
      size: s.size,
      read: async (o: number, l: number) => {
        const b = await s.read(o, l);
        read += b.length;
        return b;
      },
      sibling: async (n: string) => {
        const sib = await s.sibling?.(n);
        return sib ? count(sib) : null;
      },
      close: async () => s.close?.(),
    });
    const counting = count(source);
    (globalThis as { gc?: () => void }).gc?.();
    const t = performance.now();
    const { ir } = (await openModelFile(counting)).model;
    const ms = performance.now() - t;
    await source.close();
    if (i === 0) coldMs = ms;
    if (i >= WARMUP) times.push(ms); // the first runs run in V8's lower tiers
    nodes = ir.graphNodeCount[0];
    bytesRead = read;
  }
  const size = statSync(file).size;
  const med = median(times);
  return {
    name,
    file,
    sizeMB: size / 1e6,
    nodes,
    runs,
    coldMs,
    medianMs: med,
    minMs: Math.min(...times),
    mbPerS: size / 1e6 / (med / 1000),
    nodesPerS: nodes / (med / 1000),
    bytesReadMB: bytesRead / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

const WARMUP = 3;
const self = fileURLToPath(import.meta.url);
const caseArg = process.argv.indexOf('--case');
const floorArg = process.argv.indexOf('--floor');
if (floorArg >= 0) {
  const [file, runs] = process.argv.slice(floorArg + 1);
  console.log(JSON.stringify(nameFloor(file, Number(runs))));
} else if (caseArg >= 0) {
  const [name, file, runs] = process.argv.slice(caseArg + 1);
  console.log(JSON.stringify(await runCase(name, file, Number(runs))));
} else {
  // torch.onnx (Debian's torch 1.13) needs over 40 minutes to export 780 GPT layers (~100k nodes) on these 2-core
  // machines, so the larger cases use ../shared/scripts/gen_chain_onnx.py, which writes the same torch-style
  // scoped names with onnx.helper.
  const cases: [string, string, number][] = [
    ['gpt 10k (torch export)', resolve(sharedModels, 'onnx/gpt_decoder_10k.onnx'), 10],
    ['chain 100k', chainModel(100_000), 5],
    ['chain 300k', chainModel(300_000), 3],
    ['weights 500 MB', weightHeavy(500), 5],
  ];
  const real = (id: string, rel: string) => resolve(repoRoot, '.cache/real-models', id, rel);
  const realCases: [string, string, number][] = [
    ['Keras .h5 (InVesalius U-Net)', real('invesalius', 'usr/share/invesalius/ai/brain_mri_t1/model.h5'), 10],
    [
      'ncnn + .bin (Real-ESRGAN x4plus)',
      real('upscayl', 'package/dist/upscaler/sub-classes/model-manager/models/realesrgan-x4plus.param'),
      10,
    ],
    [
      'TF GraphDef (SSDLite, handtrack)',
      real('handtrack', 'package/models/web/ssdlitemobilenetv2/tensorflowjs_model.pb'),
      10,
    ],
    ['TF.js (BlazeFace)', real('human', 'package/models/blazeface.json'), 10],
  ];
  for (const c of realCases) {
    if (existsSync(c[1])) cases.push(c);
    else console.log(`skipping ${c[0]}: run \`npm run fetch-models\` first`);
  }
  const results: CaseResult[] = [];
  for (const [name, file, runs] of cases) {
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', self, '--case', name, file, String(runs)],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    results.push(JSON.parse(out.trim().split('\n').pop()!));
  }
  printTable(
    `Decode throughput (cold = first decode in a fresh process; median after ${WARMUP} warm-up runs)`,
    results.map((r) => ({
      case: r.name,
      'size MB': r.sizeMB,
      nodes: r.nodes,
      'cold ms': r.coldMs,
      'median ms': r.medianMs,
      'MB/s': Math.round(r.mbPerS),
      'nodes/s': Math.round(r.nodesPerS),
      'read MB': r.bytesReadMB,
      'peak RSS MB': Math.round(r.peakRssMB),
    })),
  );
  // The floor under the node-heavy cases (see name-floor.ts), each in its own process as the cases are.
  const floors = results
    .filter((r) => r.name.startsWith('chain'))
    .map((r) => {
      const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--floor', r.file, '5'], {
        encoding: 'utf8',
      });
      const floor = JSON.parse(out.trim().split('\n').pop()!) as { medianMs: number; nodes: number };
      return {
        case: r.name,
        'names only ms': Math.round(floor.medianMs),
        'full decode ms': Math.round(r.medianMs),
        'ms at 1M nodes/s': Math.round(floor.nodes / 1000),
      };
    });
  printTable('Names only: walk the in-memory file and intern every node name (name-floor.ts), median of 5', floors);
  writeResults('parse', results, { nameFloor: floors });
}
