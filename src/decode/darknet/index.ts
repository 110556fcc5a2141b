import { defineDecoder } from '../decoder.ts';
import { looksLikeCfg } from './cfg.ts';

export const darknetDecoder = defineDecoder({
  id: 'darknet',
  name: 'Darknet',
  extensions: ['.cfg'],
  sniff: (head) => looksLikeCfg(head),
  open: async (source, options) => (await import('./decoder.ts')).openDarknet(source, options),
});
