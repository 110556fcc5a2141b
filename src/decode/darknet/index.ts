import { defineDecoder } from '../decoder.ts';
import { looksLikeCfg } from './cfg.ts';
import { openDarknet } from './decoder.ts';

export const darknetDecoder = defineDecoder({
  id: 'darknet',
  name: 'Darknet',
  extensions: ['.cfg'],
  sniff: (head) => looksLikeCfg(head),
  open: openDarknet,
});
