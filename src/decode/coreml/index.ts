import { defineDecoder, openOnDemand } from '../decoder.ts';

/** `08 version 12 len 0a len 0a …`: specificationVersion, then a description whose first input starts with its name. */
function looksLikeCoreml(head: Uint8Array, fileName: string): boolean {
  if (head.length < 8 || head[0] !== 0x08 || head[1] < 1 || head[1] > 12 || head[2] !== 0x12) return false;
  // Version 1 starts like a TensorFlow SavedModel (08 01 12 …): only by name.
  if (head[1] === 1 && !fileName.toLowerCase().endsWith('.mlmodel')) return false;
  let i = 3;
  while (i < head.length && head[i] & 0x80) i++;
  i++;
  if (i + 2 >= head.length || head[i] !== 0x0a) return false;
  i++;
  while (i < head.length && head[i] & 0x80) i++;
  i++;
  return i < head.length && head[i] === 0x0a;
}

export const coremlDecoder = defineDecoder({
  id: 'coreml',
  name: 'Core ML',
  extensions: ['.mlmodel'],
  sniff: looksLikeCoreml,
  open: openOnDemand(async () => (await import('./decoder.ts')).openCoreml),
});
