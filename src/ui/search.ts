import { clear, el } from './dom.ts';
import { formatCount } from './format.ts';

/** What the result list shows of a match; the box hands the whole match back to `pick`. */
export interface SearchHit {
  kind: 'node' | 'tensor';
  name: string;
  op: string;
  /** What matched; results are listed under one heading per kind ("Operators", "Nodes by name", "Tensors"). */
  field: 'name' | 'op' | 'tensor';
}

const GROUP_LABELS: Record<SearchHit['field'], string> = { op: 'Operators', name: 'Nodes by name', tensor: 'Tensors' };

/** Stable partition of ranked hits into runs of one kind, kinds in order of their best hit. */
export function groupHits<Hit extends SearchHit>(hits: Hit[]): { field: SearchHit['field']; hits: Hit[] }[] {
  const groups: { field: SearchHit['field']; hits: Hit[] }[] = [];
  for (const h of hits) {
    let g = groups.find((x) => x.field === h.field);
    if (!g) groups.push((g = { field: h.field, hits: [] }));
    g.hits.push(h);
  }
  return groups;
}

const SHOWN = 200;

/**
 * Search box with a results list: node names, op types and tensor names. Arrow keys move, Enter picks,
 * Escape closes. Results render as text only.
 */
export class SearchBox<Hit extends SearchHit = SearchHit> {
  readonly element: HTMLElement;
  readonly input: HTMLInputElement;
  private readonly list: HTMLElement;
  private readonly summary: HTMLElement;
  private results: Hit[] = [];
  private groups: { field: SearchHit['field']; hits: Hit[] }[] = [];
  private active = -1;
  private timer = 0;

  constructor(
    private readonly run: (q: string) => Hit[],
    private readonly pick: (m: Hit) => void,
  ) {
    this.input = el('input', {
      class: 'search-input',
      attrs: {
        type: 'search',
        placeholder: 'Search nodes, ops, tensors  ( / )',
        'aria-label': 'Search',
        spellcheck: 'false',
        autocomplete: 'off',
      },
    });
    this.summary = el('div', { class: 'search-summary muted' });
    this.list = el('ul', { class: 'search-results', attrs: { role: 'listbox' } });
    const panel = el('div', { class: 'search-panel' }, this.summary, this.list);
    this.element = el('div', { class: 'search' }, this.input, panel);
    this.input.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.update(), 120);
    });
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('focus', () => {
      if (this.input.value.trim()) this.update();
    });
    document.addEventListener('pointerdown', (e) => {
      if (!this.element.contains(e.target as Node)) this.close();
    });
  }

  focus(): void {
    this.input.focus();
    this.input.select();
  }

  /** Puts a query in the box and shows its results (the profile panel's op rows). */
  setQuery(q: string): void {
    this.input.value = q;
    this.input.focus();
    this.update();
  }

  close(): void {
    this.element.classList.remove('open');
  }

  /** Runs the query now and shows the results list. */
  update(): void {
    const q = this.input.value;
    this.groups = q.trim() ? groupHits(this.run(q)) : [];
    // The list (and Enter) follow the grouped order: the first row is what Enter picks.
    this.results = this.groups.flatMap((g) => g.hits);
    this.active = this.results.length ? 0 : -1;
    this.render();
  }

  private render(): void {
    clear(this.list);
    const n = this.results.length;
    const q = this.input.value.trim();
    if (!q) {
      this.close();
      return;
    }
    this.element.classList.add('open');
    this.summary.textContent =
      n === 0
        ? 'No matches'
        : n > SHOWN
          ? `${formatCount(n)} matches (first ${SHOWN} shown)`
          : `${formatCount(n)} match${n === 1 ? '' : 'es'}`;
    let i = 0;
    for (const g of this.groups) {
      if (i >= SHOWN) break;
      this.list.append(
        el(
          'li',
          { class: 'search-group muted', attrs: { role: 'presentation', 'data-field': g.field } },
          `${GROUP_LABELS[g.field]} · ${formatCount(g.hits.length)}`,
        ),
      );
      for (const m of g.hits) {
        if (i >= SHOWN) break;
        this.list.append(this.row(m, i++));
      }
    }
  }

  private row(m: Hit, i: number): HTMLElement {
    const item = el(
      'li',
      { class: 'search-item', attrs: { role: 'option', 'data-index': String(i), 'data-field': m.field } },
      el('span', { class: 'search-op', text: m.op }),
      el('span', { class: 'search-name mono', text: m.name || '(unnamed)', title: m.name }),
      m.kind === 'tensor' ? el('span', { class: 'badge', text: 'tensor' }) : null,
    );
    if (i === this.active) item.classList.add('active');
    item.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      this.choose(i);
    });
    return item;
  }

  private onKey(e: KeyboardEvent): void {
    const n = Math.min(this.results.length, SHOWN);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!n) return;
      e.preventDefault();
      this.active = (this.active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
      this.list.querySelectorAll('.active').forEach((x) => x.classList.remove('active'));
      const cur = this.list.querySelector<HTMLElement>(`.search-item[data-index="${this.active}"]`) ?? undefined;
      cur?.classList.add('active');
      cur?.scrollIntoView({ block: 'nearest' });
    } else if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(this.timer);
      if (this.results.length === 0 || this.input.value.trim() !== this.lastQuery) this.update();
      if (this.active >= 0) this.choose(this.active);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      if (this.input.value) {
        this.input.value = '';
        this.results = [];
        this.render();
      } else {
        this.input.blur();
      }
      this.close();
    }
  }

  private get lastQuery(): string {
    return this.input.value.trim();
  }

  private choose(i: number): void {
    const m = this.results[i];
    if (!m) return;
    this.active = i;
    this.close();
    this.pick(m);
  }
}
