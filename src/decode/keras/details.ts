import type { AttributeView, NodeDetails } from '../decoder.ts';
import { isJsonObject, type JsonObject } from '../json-file.ts';

/** A layer's config entries (long values cut), as the layer was written in the model config. */
export function kerasNodeDetails(layer: JsonObject | undefined): NodeDetails {
  const attributes: AttributeView[] = [];
  const cfg = layer && isJsonObject(layer.config) ? layer.config : null;
  if (!cfg) return { attributes };
  for (const [k, v] of Object.entries(cfg)) {
    if (k === 'name' || k === 'layers') continue;
    const text = JSON.stringify(v);
    attributes.push({
      name: k,
      type: Array.isArray(v) ? 'list' : v === null ? 'null' : typeof v,
      value: text.length > 300 ? `${text.slice(0, 300)}…` : text,
    });
  }
  if (typeof layer!.module === 'string') attributes.push({ name: 'module', type: 'string', value: layer!.module });
  return { attributes };
}
