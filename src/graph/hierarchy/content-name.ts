import { str, type GraphIR } from '../ir.ts';
import { isConstantOp } from '../operator-count.ts';

/** Longest node name kept whole in a label; longer ones keep their informative tail. */
const NAME_CHARS = 22;

/**
 * A name for a group that has none worth showing (a structural chunk, a scope named after one layer id), made from
 * what it holds: its operators in order when there are at most three (`Convolution → Add`), else the most frequent
 * op with its count and the op that ends it (`Conv×12 → Resize`), then the first and last node names
 * (`· conv2d_45…conv2d_57`). `nodes` are the group's nodes at any depth, in dataflow order.
 */
export function contentLabel(ir: GraphIR, nodes: ArrayLike<number>, withNames = true): string {
  const ops: number[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const v = nodes[i];
    if (!isConstantOp(str(ir, ir.nodeOp[v]))) ops.push(v);
  }
  const picked = ops.length ? ops : Array.from(nodes);
  if (!picked.length) return '';
  const opOf = (v: number) => str(ir, ir.nodeOp[v]);
  let content: string;
  if (picked.length <= 3) {
    content = picked.map(opOf).join(' → ');
  } else {
    const counts = new Map<string, number>();
    for (const v of picked) counts.set(opOf(v), (counts.get(opOf(v)) ?? 0) + 1);
    let top = '';
    let topCount = 0;
    for (const [op, n] of counts) if (n > topCount) [top, topCount] = [op, n];
    const last = opOf(picked[picked.length - 1]);
    content = `${top}×${topCount}${last !== top ? ` → ${last}` : ''}`;
  }
  if (!withNames) return content;
  const first = shortName(str(ir, ir.nodeName[picked[0]]));
  const last = shortName(str(ir, ir.nodeName[picked[picked.length - 1]]));
  if (!first && !last) return content;
  return `${content} · ${first === last || !last ? first : `${first || '?'}…${last}`}`;
}

/** The last path segment of a scoped node name, cut to its tail when long. */
function shortName(name: string): string {
  const seg =
    name
      .replace(/[/:]+$/, '')
      .split(/[/:]/)
      .pop() ?? '';
  return seg.length > NAME_CHARS ? `…${seg.slice(seg.length - NAME_CHARS + 1)}` : seg;
}

/**
 * Scope labels that are only a generated layer id (`Add1_8042`, `Convolution_123`, `456`): they name one layer of
 * the group and say nothing of the rest, so the group is named by its content instead.
 */
export function isLayerIdLabel(label: string): boolean {
  // Both forms end in a digit: most labels are rejected without running (and allocating in) the regexes.
  const last = label.charCodeAt(label.length - 1);
  if (!(last >= 48 && last <= 57)) return false;
  return /^\d+$/.test(label) || /^[A-Za-z][A-Za-z]*\d*_\d{3,}$/.test(label);
}
