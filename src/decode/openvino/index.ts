import { defineDecoder, openOnDemand } from '../decoder.ts';
import { openvinoBinName } from './companion.ts';

const latin1 = new TextDecoder('latin1');

/** An XML document whose root is `<net … version=…>` with layers. */
function looksLikeOpenvino(head: Uint8Array): boolean {
  const text = latin1.decode(head.subarray(0, 4096));
  // The prolog is skipped by scanning, not by a regex: a repeated (comment)* group backtracks exponentially on a
  // head full of comments that never reaches <net.
  let pos = 0;
  for (;;) {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
    const close = text.startsWith('<?', pos) ? '?>' : text.startsWith('<!--', pos) ? '-->' : '';
    if (!close) break;
    const end = text.indexOf(close, pos + 2);
    if (end < 0) return false;
    pos = end + close.length;
  }
  const m = /^<net\s[^>]*>/.exec(text.slice(pos));
  return !!m && /\sversion\s*=/.test(m[0]) && /<layers\s*>|<layer\s/.test(text);
}

export const openvinoDecoder = defineDecoder({
  id: 'openvino',
  name: 'OpenVINO IR',
  extensions: ['.xml'],
  sniff(head) {
    return looksLikeOpenvino(head);
  },
  open: openOnDemand(async () => (await import('./decoder.ts')).openOpenvino),
  companions: (fileName) => [openvinoBinName(fileName)],
});
