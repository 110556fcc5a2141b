import type { NodeDetails } from '../decode/decoder.ts';
import { el } from './dom.ts';

/** One side of a node pair as the properties panel shows it. */
export interface PairSide {
  op: string;
  name: string;
  /** Type and shape of each input / output (`float32[1,128]`, `none` for an omitted optional input). */
  inputs: string[];
  outputs: string[];
  /** Attributes, read on request by the decode worker. */
  details: Promise<NodeDetails>;
}

export type PairStatus = 'added' | 'changed' | 'unchanged' | 'removed';

const STATUS_TEXT: Record<PairStatus, string> = {
  added: 'Added in B',
  changed: 'Changed',
  unchanged: 'Unchanged',
  removed: 'Removed from A',
};

/**
 * "A | B" table of a node pair for the properties panel: op, name, input and output types, and attributes once
 * both sides' details arrive. Rows whose two sides differ are highlighted. A missing side (added or removed node)
 * shows as an empty column. Text only (textContent), as everywhere in the panel.
 */
export function pairSection(
  status: PairStatus,
  a: PairSide | null,
  b: PairSide | null,
  what: readonly string[],
): HTMLElement {
  const body = el('tbody');
  const table = el(
    'table',
    { class: 'pair-table' },
    el('thead', {}, el('tr', {}, el('th', { text: '' }), el('th', { text: 'A' }), el('th', { text: 'B' }))),
    body,
  );
  const add = (key: string, va: string | undefined, vb: string | undefined) => {
    const tr = el(
      'tr',
      { class: a && b && va !== vb ? 'differs' : '' },
      el('th', { text: key }),
      el('td', { class: 'mono', text: va ?? '' }),
      el('td', { class: 'mono', text: vb ?? '' }),
    );
    body.append(tr);
    return tr;
  };
  add('op', a?.op, b?.op);
  add('name', a?.name, b?.name);
  const rows = (key: string, la: string[] | undefined, lb: string[] | undefined) => {
    const n = Math.max(la?.length ?? 0, lb?.length ?? 0);
    for (let i = 0; i < n; i++) add(`${key} ${i}`, la?.[i], lb?.[i]);
  };
  rows('in', a?.inputs, b?.inputs);
  rows('out', a?.outputs, b?.outputs);
  const attrsAt = el('tr', {}, el('td', { class: 'muted', text: 'Loading attributes…', attrs: { colspan: '3' } }));
  body.append(attrsAt);
  const none = Promise.resolve<NodeDetails | null>(null);
  Promise.all([a ? a.details : none, b ? b.details : none]).then(
    ([da, db]) => {
      const va = new Map(da?.attributes.map((x) => [x.name, x.value]) ?? []);
      const vb = new Map(db?.attributes.map((x) => [x.name, x.value]) ?? []);
      const names = [...new Set([...va.keys(), ...vb.keys()])];
      for (const name of names) attrsAt.before(add(name, va.get(name), vb.get(name)));
      attrsAt.remove();
    },
    (err: unknown) => {
      attrsAt.firstChild!.textContent = `Could not read attributes: ${err instanceof Error ? err.message : String(err)}`;
    },
  );
  const section = el(
    'section',
    { class: 'props-section pair-section' },
    el('h3', {}, 'Compare · ', el('span', { class: `pair-status diff-${status}`, text: STATUS_TEXT[status] })),
  );
  for (const w of what) section.append(el('div', { class: 'muted mono', text: w }));
  section.append(table);
  return section;
}
