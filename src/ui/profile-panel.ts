import type { Hierarchy } from '../graph/hierarchy/types.ts';
import { str, type GraphIR } from '../graph/ir.ts';
import { groupMetrics, metricsByOp } from '../graph/metric-sums.ts';
import type { NodeMetrics } from '../graph/metrics.ts';
import { groupMsPerRun, nodeMsPerRun, type OrtProfile } from '../profile/ort-profile.ts';
import { clear, el } from './dom.ts';
import { formatSi } from './format.ts';

/**
 * Profile panel: a sortable table of hierarchy groups or op types with node count, parameters, FLOPs, share and
 * (when an ONNX Runtime profile is loaded) runtime per inference in ms. DOM only; every model-provided string
 * (group paths, op names) is set through textContent.
 *
 * API
 *   const data = profileRows(ir, hierarchy, metrics, profile?)   // pure: rows for both views
 *   const panel = new ProfilePanel({ onSelect })                  // onSelect({kind: 'group', path} | {kind: 'op', op})
 *   panel.mount(container)                                        // appends panel.element to the container
 *   panel.setData(data)                                           // (re)fills; keeps the current view and sort
 *   panel.setView('groups' | 'ops')
 *   panel.sortBy('count' | 'params' | 'flops' | 'runtime' | 'label', descending?)
 *   panel.destroy()                                               // removes the element
 * Rows are capped at `maxRows` (default 500, the largest by the sort column); a note says how many were left out.
 */

export interface ProfileRow {
  /** Group path ('' is the root, not listed) or op type. */
  key: string;
  /** What the row shows: the path or op type (model text). */
  label: string;
  depth: number;
  count: number;
  params: number;
  flops: number;
  /** Milliseconds per inference, NaN without a profile. */
  runtimeMs: number;
}

export interface ProfileData {
  groups: ProfileRow[];
  ops: ProfileRow[];
  totals: { count: number; params: number; flops: number; runtimeMs: number };
  hasRuntime: boolean;
}

export type ProfileSelection = { kind: 'group'; path: string } | { kind: 'op'; op: string };
export type ProfileView = 'groups' | 'ops';
export type ProfileColumn = 'label' | 'count' | 'params' | 'flops' | 'runtime';

/** Rows for both views from per-node metrics (and an optional ORT profile). Pure. */
export function profileRows(ir: GraphIR, h: Hierarchy, m: NodeMetrics, profile?: OrtProfile | null): ProfileData {
  const g = groupMetrics(h, m);
  const runtime = profile ? groupMsPerRun(h, profile) : null;
  const groups: ProfileRow[] = [];
  for (let i = 1; i < h.groupCount; i++) {
    groups.push({
      key: h.groupPath[i],
      label: h.groupPath[i],
      depth: h.groupDepth[i],
      count: g.nodes[i],
      params: g.parameters[i],
      flops: g.flops[i],
      runtimeMs: runtime ? runtime[i] : NaN,
    });
  }
  const nodeMs = profile ? nodeMsPerRun(profile) : null;
  const opMs = new Map<string, number>();
  if (nodeMs)
    for (let n = 0; n < ir.nodeCount; n++) {
      const op = str(ir, ir.nodeOp[n]);
      opMs.set(op, (opMs.get(op) ?? 0) + nodeMs[n]);
    }
  const ops: ProfileRow[] = metricsByOp(ir, m).map((r) => ({
    key: r.op,
    label: r.op,
    depth: 0,
    count: r.count,
    params: r.parameters,
    flops: r.flops,
    runtimeMs: nodeMs ? (opMs.get(r.op) ?? 0) : NaN,
  }));
  return {
    groups,
    ops,
    totals: {
      count: ir.nodeCount,
      params: m.totals.parameters,
      flops: m.totals.flops,
      runtimeMs: profile ? profile.mappedKernelUs / 1000 / Math.max(1, profile.runs) : NaN,
    },
    hasRuntime: !!profile,
  };
}

const COLUMNS: { id: ProfileColumn; title: string; numeric: boolean }[] = [
  { id: 'label', title: 'name', numeric: false },
  { id: 'count', title: 'nodes', numeric: true },
  { id: 'params', title: 'params', numeric: true },
  { id: 'flops', title: 'FLOPs', numeric: true },
  { id: 'runtime', title: 'ms', numeric: true },
];

export interface ProfilePanelOptions {
  onSelect: (selection: ProfileSelection) => void;
  maxRows?: number;
}

export class ProfilePanel {
  readonly element: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly head: HTMLTableRowElement;
  private readonly note: HTMLElement;
  private readonly tabs: Record<ProfileView, HTMLButtonElement>;
  private data: ProfileData | null = null;
  private view: ProfileView = 'groups';
  private column: ProfileColumn = 'flops';
  private descending = true;

  constructor(private readonly options: ProfilePanelOptions) {
    this.tabs = {
      groups: el('button', {
        text: 'Groups',
        attrs: { type: 'button', 'data-view': 'groups' },
        on: { click: () => this.setView('groups') },
      }),
      ops: el('button', {
        text: 'Op types',
        attrs: { type: 'button', 'data-view': 'ops' },
        on: { click: () => this.setView('ops') },
      }),
    };
    this.head = el('tr');
    this.body = el('tbody');
    this.note = el('div', { class: 'profile-note muted' });
    this.element = el(
      'section',
      { class: 'profile-panel', attrs: { 'aria-label': 'Model profile' } },
      el('div', { class: 'profile-tabs', attrs: { role: 'tablist' } }, this.tabs.groups, this.tabs.ops),
      el('table', { class: 'profile-table' }, el('thead', {}, this.head), this.body),
      this.note,
    );
    this.renderHead();
  }

  mount(container: HTMLElement): void {
    container.appendChild(this.element);
  }

  destroy(): void {
    this.element.remove();
  }

  setData(data: ProfileData): void {
    this.data = data;
    if (!data.hasRuntime && this.column === 'runtime') this.column = 'flops';
    this.render();
  }

  setView(view: ProfileView): void {
    this.view = view;
    this.render();
  }

  sortBy(column: ProfileColumn, descending = column !== 'label'): void {
    this.column = column;
    this.descending = descending;
    this.render();
  }

  /** The rows currently shown, in order (for tests and keyboard navigation). */
  visibleRows(): ProfileRow[] {
    if (!this.data) return [];
    return this.sorted().slice(0, this.options.maxRows ?? 500);
  }

  private sorted(): ProfileRow[] {
    const rows = this.view === 'groups' ? this.data!.groups : this.data!.ops;
    const key = this.column;
    const value = (r: ProfileRow) =>
      key === 'count' ? r.count : key === 'params' ? r.params : key === 'flops' ? r.flops : r.runtimeMs;
    const sign = this.descending ? -1 : 1;
    return [...rows].sort((a, b) => {
      if (key === 'label') return sign * naturalCompare(a.label, b.label);
      const va = value(a);
      const vb = value(b);
      return (
        sign * ((Number.isNaN(va) ? -Infinity : va) - (Number.isNaN(vb) ? -Infinity : vb)) ||
        naturalCompare(a.label, b.label)
      );
    });
  }

  private renderHead(): void {
    clear(this.head);
    const runtime = this.data?.hasRuntime ?? false;
    for (const c of COLUMNS) {
      if (c.id === 'runtime' && !runtime) continue;
      const active = c.id === this.column;
      const th = el('th', {
        class: c.numeric ? 'num' : '',
        text: active ? `${c.title} ${this.descending ? '▼' : '▲'}` : c.title,
        attrs: {
          scope: 'col',
          'data-column': c.id,
          'aria-sort': active ? (this.descending ? 'descending' : 'ascending') : 'none',
          tabindex: '0',
        },
        on: {
          click: () => this.sortBy(c.id, active ? !this.descending : c.id !== 'label'),
          keydown: (e) => {
            if (e.key === 'Enter' || e.key === ' ') this.sortBy(c.id, active ? !this.descending : c.id !== 'label');
          },
        },
      });
      this.head.appendChild(th);
    }
    const shareTitle =
      this.column === 'label' || this.column === 'count'
        ? '% nodes'
        : `% ${COLUMNS.find((c) => c.id === this.column)!.title}`;
    this.head.appendChild(el('th', { class: 'num', text: shareTitle, attrs: { scope: 'col' } }));
  }

  private render(): void {
    this.tabs.groups.setAttribute('aria-selected', String(this.view === 'groups'));
    this.tabs.ops.setAttribute('aria-selected', String(this.view === 'ops'));
    this.renderHead();
    clear(this.body);
    const data = this.data;
    if (!data) return;
    const all = this.view === 'groups' ? data.groups : data.ops;
    const rows = this.visibleRows();
    const runtime = data.hasRuntime;
    const shareOf = (r: ProfileRow): number => {
      switch (this.column) {
        case 'params':
          return data.totals.params ? r.params / data.totals.params : 0;
        case 'flops':
          return data.totals.flops ? r.flops / data.totals.flops : 0;
        case 'runtime':
          return data.totals.runtimeMs ? r.runtimeMs / data.totals.runtimeMs : 0;
        default:
          return data.totals.count ? r.count / data.totals.count : 0;
      }
    };
    for (const r of rows) {
      const select = () =>
        this.options.onSelect(this.view === 'groups' ? { kind: 'group', path: r.key } : { kind: 'op', op: r.key });
      const name = el('td', { class: 'profile-name', text: r.label, title: r.label });
      if (this.view === 'groups') name.style.paddingLeft = `${4 + Math.min(r.depth - 1, 12) * 8}px`;
      const tr = el(
        'tr',
        {
          attrs: { tabindex: '0', 'data-key': r.key },
          on: { click: select, keydown: (e) => (e.key === 'Enter' ? select() : undefined) },
        },
        name,
        el('td', { class: 'num', text: r.count.toLocaleString('en-US') }),
        el('td', { class: 'num', text: formatSi(r.params) }),
        el('td', { class: 'num', text: formatSi(r.flops) }),
        runtime ? el('td', { class: 'num', text: Number.isNaN(r.runtimeMs) ? '–' : r.runtimeMs.toFixed(3) }) : null,
        el('td', { class: 'num', text: `${(100 * shareOf(r)).toFixed(1)}%` }),
      );
      this.body.appendChild(tr);
    }
    this.note.textContent = all.length > rows.length ? `showing ${rows.length} of ${all.length} rows` : '';
  }
}

/** Orders labels as people read them: numbers by value, so `h.2` comes before `h.10`. */
const NATURAL = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
export function naturalCompare(a: string, b: string): number {
  return NATURAL.compare(a, b);
}
