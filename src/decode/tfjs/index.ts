import { defineDecoder, openOnDemand } from '../decoder.ts';
import { isText } from '../text/is-text.ts';

const utf8 = new TextDecoder('utf-8');

/** model.json of a graph model: `"format": "graph-model"`, or a `modelTopology` holding a `node` list. */
function looksLikeTfjsGraph(head: Uint8Array): boolean {
  if (!isText(head)) return false;
  const text = utf8.decode(head);
  if (!/^\s*\{/.test(text)) return false;
  return /"format"\s*:\s*"graph-model"/.test(text) || /"modelTopology"\s*:\s*\{\s*"node"\s*:/.test(text);
}

export const tfjsDecoder = defineDecoder({
  id: 'tfjs',
  name: 'TensorFlow.js graph model',
  extensions: [],
  sniff: looksLikeTfjsGraph,
  open: openOnDemand(async () => (await import('./decoder.ts')).openTfjs),
});
