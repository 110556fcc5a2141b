import { defineDecoder, openOnDemand } from '../decoder.ts';
import { isText } from '../text/is-text.ts';

const latin1 = new TextDecoder('latin1');

function looksLikeNnef(head: Uint8Array): boolean {
  if (!isText(head)) return false;
  const text = latin1.decode(head).replace(/#[^\n]*/g, '');
  return /^\s*version\s+\d+\.\d+\s*;/.test(text);
}

export const nnefDecoder = defineDecoder({
  id: 'nnef',
  name: 'NNEF',
  extensions: ['.nnef'],
  sniff(head) {
    return looksLikeNnef(head);
  },
  open: openOnDemand(async () => (await import('./decoder.ts')).openNnef),
});
