import './ui/styles.css';
import { EarlyLoad, WorkerPool } from './app/load.ts';

// The entry chunk is small (no pixi): it starts the workers and, for `?url=`, the whole model load (fetch,
// decode, hierarchy, first layout) right away; the renderer chunk loads and initialises in parallel.
const pool = new WorkerPool({
  decode: () =>
    new Worker(new URL('./workers/decode.worker.ts', import.meta.url), { type: 'module', name: 'strata-decode' }),
  layout: () =>
    new Worker(new URL('./workers/layout.worker.ts', import.meta.url), { type: 'module', name: 'strata-layout' }),
});
const url = new URLSearchParams(location.search).get('url');
const early = url ? new EarlyLoad(pool, { kind: 'url', url: new URL(url, location.href).href }) : null;

const root = document.getElementById('app');
if (!root) throw new Error('missing #app');
const { startViewer } = await import('./app/viewer.ts');
void startViewer(root, pool, early);
