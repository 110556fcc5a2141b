import { defineDecoder, openOnDemand } from '../decoder.ts';
import { isText } from '../text/is-text.ts';
import { looksLikeCaffemodel, looksLikePrototxt } from './sniff.ts';

export const caffeDecoder = defineDecoder({
  id: 'caffe',
  name: 'Caffe',
  extensions: ['.prototxt', '.caffemodel'],
  sniff(head, fileName) {
    const lower = fileName.toLowerCase();
    if (lower.endsWith('.caffemodel')) return true;
    if (lower.endsWith('.prototxt')) return isText(head);
    return looksLikeCaffemodel(head) || looksLikePrototxt(head);
  },
  open: openOnDemand(async () => (await import('./decoder.ts')).openCaffe),
});
