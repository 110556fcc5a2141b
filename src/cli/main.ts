import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDiff } from './diff.ts';
import { describeError, formatReport, inspectFile } from './inspect.ts';
import { startServer } from './server.ts';

const USAGE = `usage:
  strata FILE [--port N] [--no-open]   serve the viewer on 127.0.0.1 and open FILE in the browser
  strata inspect FILE [--json]         print a model summary (op histogram, parameters, inputs/outputs,
                [--dim NAME=N]...      FLOPs/MACs); --dim binds a symbolic dimension (default batch=1,
                                       sequence=128, others 1; an unnamed input dim is INPUT:AXIS)
  strata diff A B [--json] [--bytes]   compare two models node by node (--bytes also compares constant
                                       payloads); exit 0 equal, 1 different, 2 error`;

/** Flags followed by a value. */
const VALUE_FLAGS = new Set(['--port', '--dim']);

const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist');

export async function main(argv: string[]): Promise<number> {
  const args = argv.filter((a, i) => !a.startsWith('--') && !VALUE_FLAGS.has(argv[i - 1]));
  const flags = new Set(argv.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]));
  if (flags.has('--help') || args.length === 0) {
    (args.length === 0 && !flags.has('--help') ? console.error : console.log)(USAGE);
    return args.length === 0 && !flags.has('--help') ? 2 : 0;
  }
  if (args[0] === 'diff') return runDiff(args[1], args[2], flags.has('--json'), flags.has('--bytes'));
  if (args[0] === 'inspect') {
    const dims = parseDims(argv);
    if (typeof dims === 'string') {
      console.error(`strata: ${dims}`);
      return 2;
    }
    return inspect(args[1], flags.has('--json'), dims);
  }
  return serve(args[0], argv);
}

/** `--dim name=value` (repeatable; also `--dim=name=value`) → { name: value }, or an error message. */
export function parseDims(argv: string[]): Record<string, number> | string {
  const dims: Record<string, number> = Object.create(null);
  for (let i = 0; i < argv.length; i++) {
    let spec: string | undefined;
    if (argv[i] === '--dim') spec = argv[++i];
    else if (argv[i].startsWith('--dim=')) spec = argv[i].slice('--dim='.length);
    else continue;
    const m = spec === undefined ? null : /^(.+)=(\d+)$/.exec(spec);
    if (!m || !Number.isSafeInteger(Number(m[2])))
      return `--dim expects NAME=N with a non-negative integer N, got ${spec === undefined ? 'nothing' : JSON.stringify(spec)}`;
    dims[m[1]] = Number(m[2]);
  }
  return dims;
}

async function inspect(file: string | undefined, json: boolean, dims: Record<string, number>): Promise<number> {
  if (!file) {
    console.error(USAGE);
    return 2;
  }
  try {
    const report = await inspectFile(file, { dims });
    console.log(json ? JSON.stringify(report, null, 2) : formatReport(report));
    return 0;
  } catch (err) {
    console.error(`strata: ${describeError(err, file)}`);
    return 1;
  }
}

async function serve(file: string, argv: string[]): Promise<number> {
  if (!existsSync(file)) {
    console.error(`strata: ${file}: no such file`);
    return 1;
  }
  if (!existsSync(resolve(appRoot, 'index.html'))) {
    console.error('strata: the viewer is not built yet; run `npm run build` first');
    return 1;
  }
  const portIndex = argv.indexOf('--port');
  const port = portIndex >= 0 ? Number(argv[portIndex + 1]) : 0;
  const server = await startServer({ root: appRoot, modelPath: file, port });
  const url = `${server.url}?url=${encodeURIComponent(server.modelUrl ?? '')}`;
  console.log(`strata: serving ${file} at ${url}  (Ctrl+C to stop)`);
  if (!argv.includes('--no-open')) openBrowser(url);
  await new Promise<void>((done) => {
    const stop = () => void server.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => console.log(`strata: open ${url} in your browser`));
    child.unref();
  } catch {
    console.log(`strata: open ${url} in your browser`);
  }
}
