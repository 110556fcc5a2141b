import { defineDecoder, openOnDemand } from '../decoder.ts';

/** ProgramDesc starts with blocks[0]: `0a len 08 idx 10 parent_idx` (or vars/ops right after idx). */
function looksLikePaddleProgram(head: Uint8Array): boolean {
  if (head.length < 6 || head[0] !== 0x0a) return false;
  let i = 1;
  let len = 0;
  for (let shift = 0; i < head.length && shift < 35; shift += 7) {
    const c = head[i++];
    len += (c & 0x7f) * 2 ** shift;
    if (!(c & 0x80)) break;
  }
  if (len < 4 || i + 3 > head.length) return false;
  return (
    head[i] === 0x08 && head[i + 1] === 0x00 && (head[i + 2] === 0x10 || head[i + 2] === 0x1a || head[i + 2] === 0x22)
  );
}

export const paddleDecoder = defineDecoder({
  id: 'paddle',
  name: 'PaddlePaddle',
  extensions: ['.pdmodel', '__model__'],
  sniff(head) {
    return looksLikePaddleProgram(head);
  },
  open: openOnDemand(async () => (await import('./decoder.ts')).openPaddle),
});
