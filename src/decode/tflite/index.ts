import { defineDecoder, openOnDemand } from '../decoder.ts';
import { hasTfliteIdentifier } from './sniff.ts';

export const tfliteDecoder = defineDecoder({
  id: 'tflite',
  name: 'TensorFlow Lite',
  extensions: ['.tflite', '.lite'],
  sniff(head, fileName) {
    if (hasTfliteIdentifier(head)) return true;
    // Flatbuffers written without the file identifier: trust the extension, as long as the root offset is sane.
    const lower = fileName.toLowerCase();
    if (!(lower.endsWith('.tflite') || lower.endsWith('.lite')) || head.length < 8) return false;
    const root = head[0] | (head[1] << 8) | (head[2] << 16) | (head[3] << 24);
    return root >= 8 && (root & 3) === 0;
  },
  open: openOnDemand(async () => (await import('./decoder.ts')).openTflite),
});
