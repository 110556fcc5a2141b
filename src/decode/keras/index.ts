import { defineDecoder, openOnDemand } from '../decoder.ts';
import { looksLikeHdf5 } from '../hdf5/sniff.ts';
import { isText } from '../text/is-text.ts';
import { firstEntryName, looksLikeZip } from '../zip/sniff.ts';

const utf8 = new TextDecoder('utf-8');

/** A Keras model config as JSON text: `"class_name"` with a model class near the top. */
function looksLikeKerasJson(head: Uint8Array): boolean {
  if (!isText(head)) return false;
  const text = utf8.decode(head);
  if (!/^\s*\{/.test(text)) return false;
  return (
    /"class_name"\s*:\s*"(Sequential|Functional|Model)"/.test(text) ||
    (/"modelTopology"\s*:/.test(text) && /"keras_version"|"class_name"/.test(text))
  );
}

export const kerasDecoder = defineDecoder({
  id: 'keras',
  name: 'Keras',
  extensions: ['.keras', '.h5', '.hdf5'],
  sniff(head, fileName) {
    if (looksLikeHdf5(head)) return true;
    if (looksLikeZip(head)) {
      const first = firstEntryName(head);
      return (
        first === 'metadata.json' ||
        first === 'config.json' ||
        first === 'model.weights.h5' ||
        (!first && /\.keras$/i.test(fileName))
      );
    }
    return looksLikeKerasJson(head);
  },
  open: openOnDemand(async () => (await import('./decoder.ts')).openKeras),
});
