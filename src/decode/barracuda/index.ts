import { defineDecoder } from '../decoder.ts';
import { openBarracuda } from './decoder.ts';
import { SUPPORTED } from './schema.ts';

/** An int64 version 16–19 (upper bytes zero) followed by a small input count. */
function looksLikeBarracuda(head: Uint8Array): boolean {
  if (head.length < 16) return false;
  if (!SUPPORTED.has(head[0])) return false;
  for (let i = 1; i < 8; i++) if (head[i] !== 0) return false;
  const inputs = head[8] | (head[9] << 8) | (head[10] << 16) | (head[11] << 24);
  return inputs >= 0 && inputs < 1024;
}

export const barracudaDecoder = defineDecoder({
  id: 'barracuda',
  name: 'Unity Barracuda',
  extensions: ['.nn'],
  sniff(head, fileName) {
    return /\.nn$/i.test(fileName) && looksLikeBarracuda(head);
  },
  open: openBarracuda,
});
