import type { AttributeView, NodeDetails } from '../decoder.ts';
import { isJsonObject, type Json, type JsonObject } from '../json-file.ts';

/** A node's attributes as the model.json wrote them (protobuf's JSON mapping). */
export function tfjsNodeDetails(attrs: JsonObject): NodeDetails {
  const attributes: AttributeView[] = Object.entries(attrs).map(([k, v]) => ({ name: k, ...showAttr(v) }));
  return { attributes };
}

/** An attribute value in protobuf's JSON mapping, as one short line (`s` is base64 in that mapping). */
function showAttr(v: Json): { type: string; value: string } {
  if (!isJsonObject(v)) return { type: 'value', value: JSON.stringify(v) };
  if (typeof v.s === 'string') {
    let text = v.s;
    try {
      text = atob(v.s);
    } catch {
      // not base64: shown as written
    }
    return { type: 'string', value: JSON.stringify(text.slice(0, 300)) };
  }
  const [kind, value] = Object.entries(v)[0] ?? ['', null];
  const shown = JSON.stringify(value) ?? '';
  return { type: kind, value: shown.length > 300 ? `${shown.slice(0, 300)}…` : shown };
}
