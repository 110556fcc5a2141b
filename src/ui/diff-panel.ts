import { clear, el } from './dom.ts';
import { formatCount } from './format.ts';

export type ChangeKind = 'added' | 'changed' | 'removed';

/** What the panel shows of a comparison (the app's Comparison provides it). */
export interface DiffPanelModel {
  fileA: string;
  fileB: string;
  summary: { added: number; removed: number; changed: number; matched: number };
  entries: readonly { kind: ChangeKind; label: string; what: string[] }[];
  /** Entry navigated to, -1 for none. */
  cursor: number;
  notes: readonly string[];
}

/** CSS colours of the legend swatches (the scene's diff colours in the current theme). */
export type DiffLegendColours = Record<ChangeKind | 'unchanged', { fill: string; stroke: string }>;

/** Rows rendered in the list; `n` / `p` and the counter still reach every change beyond them. */
const MAX_ROWS = 400;

const SIGN: Record<ChangeKind, string> = { added: '+', changed: '~', removed: '−' };

/**
 * The comparison panel over the graph: A and B file names, the legend with counts, previous/next buttons (keys
 * `p` / `n`) and the list of changes; clicking a row or stepping moves the camera to that change.
 */
export class DiffPanel {
  readonly element: HTMLElement;
  /** Called with ±1 (previous / next) or with an entry index (a row was clicked). */
  onStep: ((step: 1 | -1) => void) | null = null;
  onPick: ((index: number) => void) | null = null;
  private readonly body: HTMLElement;
  private list: HTMLElement | null = null;
  private counter: HTMLElement | null = null;
  private current: HTMLElement | null = null;
  private model: DiffPanelModel | null = null;

  constructor() {
    this.body = el('div', { class: 'diff-body' });
    this.element = el('section', { class: 'diff-panel', attrs: { 'aria-label': 'Changes' } }, this.body);
    this.element.hidden = true;
  }

  show(model: DiffPanelModel | null, colours: DiffLegendColours): void {
    this.model = model;
    this.element.hidden = !model;
    clear(this.body);
    if (!model) return;
    const s = model.summary;
    const swatch = (k: ChangeKind | 'unchanged', text: string, count: number) => {
      const sw = el('span', { class: `legend-swatch diff-${k}` });
      sw.style.background = colours[k].fill;
      sw.style.borderColor = colours[k].stroke;
      if (k === 'removed') sw.style.borderStyle = 'dashed';
      return el(
        'span',
        { class: `diff-count diff-count-${k}`, attrs: { 'data-count': String(count) } },
        sw,
        ` ${text} ${formatCount(count)}`,
      );
    };
    this.counter = el('span', { class: 'diff-counter mono' });
    this.current = el('div', { class: 'diff-current mono' });
    this.body.append(
      el(
        'div',
        { class: 'diff-files' },
        el('div', { class: 'diff-file', title: model.fileA }, el('b', { text: 'A ' }), model.fileA),
        el(
          'div',
          { class: 'diff-file', title: model.fileB },
          el('b', { text: 'B ' }),
          model.fileB,
          el('span', { class: 'muted', text: ' (shown)' }),
        ),
      ),
      el(
        'div',
        { class: 'diff-legend' },
        swatch('added', 'added', s.added),
        swatch('changed', 'changed', s.changed),
        swatch('removed', 'removed', s.removed),
        swatch('unchanged', 'unchanged', s.matched - s.changed),
      ),
      el(
        'div',
        { class: 'diff-nav' },
        el('button', {
          class: 'small diff-prev',
          text: '‹ Prev',
          title: 'Previous change (p)',
          on: { click: () => this.onStep?.(-1) },
        }),
        el('button', {
          class: 'small diff-next',
          text: 'Next ›',
          title: 'Next change (n)',
          on: { click: () => this.onStep?.(1) },
        }),
        this.counter,
      ),
      this.current,
    );
    if (model.entries.length === 0) {
      this.body.append(el('p', { class: 'muted', text: 'The models are equal node for node.' }));
    } else {
      const list = el('ol', { class: 'diff-list' });
      const shown = Math.min(model.entries.length, MAX_ROWS);
      for (let i = 0; i < shown; i++) {
        const e = model.entries[i];
        list.append(
          el(
            'li',
            {
              class: `diff-item diff-${e.kind}`,
              title: e.what.join('\n') || e.kind,
              attrs: { 'data-index': String(i) },
              on: { click: () => this.onPick?.(i) },
            },
            el('span', { class: 'diff-sign', text: SIGN[e.kind] }),
            ` ${e.label}`,
          ),
        );
      }
      if (model.entries.length > shown)
        list.append(
          el('li', { class: 'muted', text: `… ${formatCount(model.entries.length - shown)} more (n / p reach them)` }),
        );
      this.list = list;
      this.body.append(list);
    }
    for (const note of model.notes) this.body.append(el('p', { class: 'muted diff-note', text: note }));
    this.setCursor(model.cursor);
  }

  /** Highlights the entry navigated to and shows its reasons. */
  setCursor(index: number): void {
    const model = this.model;
    if (!model || !this.counter || !this.current) return;
    this.counter.textContent =
      index >= 0
        ? `${formatCount(index + 1)} / ${formatCount(model.entries.length)}`
        : `${formatCount(model.entries.length)} changes`;
    clear(this.current);
    const e = index >= 0 ? model.entries[index] : null;
    if (e) {
      this.current.append(el('div', { class: `diff-${e.kind}`, text: `${SIGN[e.kind]} ${e.label}` }));
      for (const w of e.what) this.current.append(el('div', { class: 'muted', text: w }));
    }
    for (const li of this.list?.querySelectorAll('li.current') ?? []) li.classList.remove('current');
    const row = this.list?.querySelector(`li[data-index="${index}"]`);
    if (row) {
      row.classList.add('current');
      row.scrollIntoView({ block: 'nearest' });
    }
  }
}
