import { defineDecoder, openOnDemand } from '../decoder.ts';
import { isText } from '../text/is-text.ts';
import { looksLikeGraphDef, looksLikeSavedModel, looksLikeTfText } from './sniff.ts';

const latin1 = new TextDecoder('latin1');

export const tensorflowDecoder = defineDecoder({
  id: 'tensorflow',
  name: 'TensorFlow GraphDef / SavedModel',
  extensions: ['.pb', '.pbtxt', '.graphdef'],
  sniff(head, fileName) {
    if (looksLikeGraphDef(head) || looksLikeSavedModel(head)) return true;
    const lower = fileName.toLowerCase();
    if (lower.endsWith('saved_model.pb') && (head[0] === 0x08 || head[0] === 0x12)) return true;
    return (
      looksLikeTfText(head) || (lower.endsWith('.pbtxt') && isText(head) && /\bnode\s*\{/.test(latin1.decode(head)))
    );
  },
  open: openOnDemand(async () => (await import('./decoder.ts')).openTensorflow),
});
