import type { AttributeView, NodeDetails } from '../decoder.ts';

/** An operator's attributes as the symbol file wrote them (all strings in MXNet's JSON). */
export function mxnetNodeDetails(attrs: Record<string, string> = {}): NodeDetails {
  const attributes: AttributeView[] = Object.entries(attrs).map(([name, value]) => ({ name, type: 'string', value }));
  return { attributes };
}
