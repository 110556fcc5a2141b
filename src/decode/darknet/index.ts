import { defineDecoder, openOnDemand } from '../decoder.ts';
import { looksLikeCfg } from './cfg.ts';

export const darknetDecoder = defineDecoder({
  id: 'darknet',
  name: 'Darknet',
  extensions: ['.cfg'],
  sniff: (head) => looksLikeCfg(head),
  open: openOnDemand(async () => (await import('./decoder.ts')).openDarknet),
});
