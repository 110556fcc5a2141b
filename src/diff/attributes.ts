import { dtypeName } from '../graph/ir.ts';
import { finish, hashString, mix, mixNumber } from '../graph/hash.ts';
import type { DiffSide } from './types.ts';

/**
 * Node attributes for the diff: a fingerprint per node (equal attributes → equal fingerprint) and, for the few
 * changed pairs, the attribute maps to say what differs.
 */

/** Attribute values of one node by name (numbers, lists, strings, `{dtype, dims, data}` tensors, `{graph}`). */
export type AttributeMap = ReadonlyMap<string, unknown>;

export interface NodeAttributeSource {
  /** Null when this node's attributes were not read. */
  of(node: number): AttributeMap | null;
}

/**
 * The one place the diff reads attributes: every node's, through the format's own lazy reader. Formats without
 * one give null; the diff then compares what the IR has and says so in its notes.
 */
export async function readAllAttributes(side: DiffSide): Promise<NodeAttributeSource | null> {
  return side.attributesFor ? side.attributesFor(null, () => true) : null;
}

/**
 * Fingerprint per node; 0 when the node has no attributes or they were not read. Tensor attributes (Constant
 * `value`) count by element type and shape only: their contents are constant bytes, compared on request like weights.
 */
export function attributeFingerprints(nodeCount: number, attrs: NodeAttributeSource | null): Uint32Array {
  const out = new Uint32Array(nodeCount);
  if (!attrs) return out;
  for (let n = 0; n < nodeCount; n++) {
    const map = attrs.of(n);
    if (!map || map.size === 0) continue;
    // Order-independent over attributes: files may list them in any order.
    let sum = 0;
    for (const [name, value] of map) sum = (sum + finish(hashValue(hashString(name), value))) | 0;
    out[n] = finish(mix(sum, map.size)) || 1;
  }
  return out;
}

function hashValue(h: number, v: unknown): number {
  if (typeof v === 'number') return mixNumber(mix(h, 1), v);
  if (typeof v === 'string') return mix(mix(h, 2), hashString(v));
  if (Array.isArray(v)) {
    h = mix(mix(h, 3), v.length);
    for (const x of v) h = hashValue(h, x);
    return h;
  }
  if (v && typeof v === 'object') {
    if ('dims' in v) {
      const t = v as { dtype: number; dims: number[] };
      h = mix(mix(h, 4), t.dtype);
      for (const d of t.dims) h = mixNumber(h, d);
      return mix(h, t.dims.length);
    }
    // A graph attribute: its body's nodes are in the IR and are compared node by node.
    if ('graph' in v) return mix(h, 5);
  }
  return mix(h, 6);
}

/** `attribute axis: 1 → -1`, `attribute alpha added: 0.2`, `attribute beta removed (was 1)` for one pair. */
export function describeAttributeChanges(a: AttributeMap | null, b: AttributeMap | null): string[] {
  if (!a || !b) return ['attributes differ'];
  const out: string[] = [];
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const name of names) {
    const va = a.get(name);
    const vb = b.get(name);
    if (!a.has(name)) out.push(`attribute ${name} added: ${formatValue(vb)}`);
    else if (!b.has(name)) out.push(`attribute ${name} removed (was ${formatValue(va)})`);
    else if (finish(hashValue(0, va)) !== finish(hashValue(0, vb)))
      out.push(`attribute ${name}: ${formatValue(va)} → ${formatValue(vb)}`);
  }
  return out.length ? out : ['attributes differ'];
}

const MAX_SHOWN = 8;

export function formatValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) {
    const shown = v.slice(0, MAX_SHOWN).map(formatValue);
    if (v.length > MAX_SHOWN) shown.push(`… ${v.length} items`);
    return `[${shown.join(', ')}]`;
  }
  if (v && typeof v === 'object' && 'dims' in v) {
    const t = v as { dtype: number; dims: number[] };
    return `tensor ${dtypeName(t.dtype)}[${t.dims.join(',')}]`;
  }
  if (v && typeof v === 'object' && 'graph' in v) return 'graph';
  return String(v);
}
