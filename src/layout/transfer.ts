import type { Hierarchy } from '../graph/hierarchy/types.ts';
import type { ViewLayout } from './types.ts';

type Buffers = ArrayBuffer[];

function buffersOf(obj: object): Buffers {
  const out: Buffers = [];
  for (const v of Object.values(obj)) {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && !out.includes(v.buffer)) out.push(v.buffer);
  }
  return out;
}

/** A ViewLayout is built fresh per call and owns its arrays: all of them can be transferred. */
export function viewLayoutTransferList(view: ViewLayout): Buffers {
  const out = buffersOf(view);
  if (view.tensors) for (const b of buffersOf(view.tensors)) if (!out.includes(b)) out.push(b);
  return out;
}

/**
 * A copy of the hierarchy with fresh, exactly-sized buffers (some arrays are views into shared or larger
 * buffers), so the copy can be transferred while the engine keeps the original.
 */
export function hierarchyTransferCopy(h: Hierarchy): { hierarchy: Hierarchy; transfer: Buffers } {
  const copy = { ...h } as Record<string, unknown>;
  for (const [k, v] of Object.entries(h)) {
    if (ArrayBuffer.isView(v)) copy[k] = (v as unknown as { slice(): unknown }).slice();
  }
  const hierarchy = copy as unknown as Hierarchy;
  return { hierarchy, transfer: buffersOf(hierarchy) };
}
