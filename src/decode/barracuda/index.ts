import { defineDecoder, openOnDemand } from '../decoder.ts';
import { looksLikeBarracuda } from './sniff.ts';

export const barracudaDecoder = defineDecoder({
  id: 'barracuda',
  name: 'Unity Barracuda',
  extensions: ['.nn'],
  sniff(head, fileName) {
    return /\.nn$/i.test(fileName) && looksLikeBarracuda(head);
  },
  open: openOnDemand(async () => (await import('./decoder.ts')).openBarracuda),
});
