// `npm run test:e2e`: the main suite in Chromium with WebGL (run.js), then the core flows without WebGL in
// Chromium and in Firefox (fallback-runs.js), one after the other (each starts its own browser). Their output
// passes through; one closing `N passed, M failed` line sums the three.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = [
  ['chromium (WebGL)', ['run.js']],
  ['chromium without WebGL', ['fallback-runs.js', 'chromium-nogl']],
  ['firefox', ['fallback-runs.js', 'firefox']],
];

/** Runs one suite, echoing its output; returns its closing counts (a suite that printed none counts as failed). */
function runSuite(args) {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      args.map((a, i) => (i === 0 ? resolve(here, a) : a)),
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let last = null;
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^(\d+) passed, (\d+) failed$/.exec(line.trim());
        if (m) last = { passed: Number(m[1]), failed: Number(m[2]) };
      }
    });
    child.on('close', (code) => done(last ?? { passed: 0, failed: Math.max(1, code ?? 1) }));
  });
}

let passed = 0;
let failed = 0;
for (const [name, args] of RUNS) {
  process.stdout.write(`\n=== e2e: ${name}\n`);
  const r = await runSuite(args);
  passed += r.passed;
  failed += r.failed;
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
