import './ui/styles.css';
import { startViewer } from './app/viewer.ts';

const root = document.getElementById('app');
if (!root) throw new Error('missing #app');

void startViewer(root, {
  decode: () => new Worker(new URL('./workers/decode.worker.ts', import.meta.url), { type: 'module', name: 'strata-decode' }),
  layout: () => new Worker(new URL('./workers/layout.worker.ts', import.meta.url), { type: 'module', name: 'strata-layout' }),
});
