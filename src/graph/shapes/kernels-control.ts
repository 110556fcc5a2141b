import { definer, type Shape, type KernelTable } from './kernel.ts';

/**
 * Control flow: If merges (or, with a known condition, picks) its branches' output shapes.
 */
export const CONTROL_KERNELS: KernelTable = new Map();
const def = definer(CONTROL_KERNELS);

def(['If'], (c) => {
  // A known condition picks its branch; otherwise both branches' outputs are merged dim by dim (a dim that
  // differs is unknown, a rank that differs leaves the output unknown).
  let branches = c.subgraphOutputs();
  if (branches.length < 2) return;
  const cond = c.val(0);
  const taken =
    cond && cond.length === 1 && c.attrs ? c.attrs.graph(c.node, cond[0] ? 'then_branch' : 'else_branch') : -1;
  if (taken >= 0 && taken < branches.length) branches = [branches[taken]];
  for (let k = 0; k < c.outs.length; k++) {
    let merged: Shape | null = null;
    let t = 0;
    let ok = true;
    for (const outs of branches) {
      const v = k < outs.length ? outs[k] : -1;
      const s = v >= 0 ? c.valueShape(v) : null;
      t = t || c.valueDtype(v);
      if (!s || (merged && merged.length !== s.length)) {
        ok = false;
        break;
      }
      merged = merged ? merged.map((d, i) => (d === s[i] ? d : -1)) : s;
    }
    c.set(k, ok ? merged : null, t);
  }
});
