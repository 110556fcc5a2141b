import { defineDecoder, openOnDemand } from '../decoder.ts';
import { isText } from '../text/is-text.ts';

const utf8 = new TextDecoder('utf-8');

function looksLikeMxnetSymbol(head: Uint8Array): boolean {
  if (!isText(head)) return false;
  const text = utf8.decode(head);
  return /^\s*\{\s*"nodes"\s*:\s*\[/.test(text) && /"op"\s*:\s*"/.test(text);
}

export const mxnetDecoder = defineDecoder({
  id: 'mxnet',
  name: 'MXNet symbol',
  extensions: ['-symbol.json'],
  sniff(head) {
    return looksLikeMxnetSymbol(head);
  },
  open: openOnDemand(async () => (await import('./decoder.ts')).openMxnet),
});
