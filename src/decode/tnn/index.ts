import { defineDecoder, openOnDemand } from '../decoder.ts';

const latin1 = new TextDecoder('latin1');

/** First line `"1 57 1 4206624770 ,"`, second line another quoted record. */
function looksLikeTnnProto(head: Uint8Array): boolean {
  const text = latin1.decode(head.subarray(0, 1024));
  return /^"\s*\d+(\s+-?\d+)*\s*,?\s*"\s*\r?\n\s*"/.test(text);
}

export const tnnDecoder = defineDecoder({
  id: 'tnn',
  name: 'TNN',
  extensions: ['.tnnproto'],
  sniff(head) {
    return looksLikeTnnProto(head);
  },
  open: openOnDemand(async () => (await import('./decoder.ts')).openTnn),
});
