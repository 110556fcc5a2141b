import { defineDecoder, openOnDemand } from '../decoder.ts';
import { ncnnBinName } from './companion.ts';

const latin1 = new TextDecoder('latin1');

function looksLikeNcnnParam(head: Uint8Array): boolean {
  const text = latin1.decode(head.subarray(0, 256));
  return /^\s*7767517\s*\r?\n\s*\d+\s+\d+\s*\r?\n/.test(text);
}

export const ncnnDecoder = defineDecoder({
  id: 'ncnn',
  name: 'ncnn',
  extensions: ['.param'],
  sniff(head) {
    return looksLikeNcnnParam(head);
  },
  open: openOnDemand(async () => (await import('./decoder.ts')).openNcnn),
  companions: (fileName) => [ncnnBinName(fileName)],
});
