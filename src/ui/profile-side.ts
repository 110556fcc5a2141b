import { NO_DATA_COLOUR, toCss, type ColourLegend, type GroupScale } from './colour-modes.ts';
import { clear, el } from './dom.ts';
import { ProfilePanel, type ProfileData, type ProfileSelection } from './profile-panel.ts';

export interface ProfileSideOptions {
  onSelect(selection: ProfileSelection): void;
  /** Symbolic dims changed (Enter or change on an input). */
  onDims(dims: Record<string, number>): void;
}

/**
 * The "Profile" side panel: symbolic-dim inputs (batch, sequence), a status line (analysis, loaded runtime
 * profile, unmapped events) and the sortable profile table. Model text only ever goes through textContent.
 */
export class ProfileSide {
  readonly element: HTMLElement;
  readonly panel: ProfilePanel;
  private readonly status: HTMLElement;
  private readonly inputs: Record<string, HTMLInputElement> = {};

  constructor(options: ProfileSideOptions) {
    this.panel = new ProfilePanel({ onSelect: options.onSelect });
    this.status = el('div', { class: 'profile-status muted' });
    const dimsRow = el('form', { class: 'profile-dims' });
    for (const [name, value] of [
      ['batch', 1],
      ['sequence', 128],
    ] as const) {
      const input = el('input', {
        attrs: { type: 'number', min: '1', step: '1', value: String(value), name, 'aria-label': `${name} size` },
      });
      this.inputs[name] = input;
      dimsRow.append(el('label', {}, `${name} `, input));
    }
    dimsRow.append(el('button', { text: 'Apply', attrs: { type: 'submit' } }));
    dimsRow.addEventListener('submit', (e) => {
      e.preventDefault();
      options.onDims(this.dims());
    });
    this.element = el(
      'aside',
      { class: 'sidebar profile-side', attrs: { 'aria-label': 'Profile' } },
      el('div', { class: 'props-body' }, el('h3', { class: 'profile-heading', text: 'Profile' }), dimsRow, this.status),
    );
    this.panel.mount(this.element.firstElementChild as HTMLElement);
    this.element.hidden = true;
  }

  dims(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, input] of Object.entries(this.inputs)) {
      const v = Math.floor(Number(input.value));
      out[k] = Number.isFinite(v) && v >= 1 ? v : 1;
    }
    return out;
  }

  setDims(dims: Record<string, number>): void {
    for (const [k, input] of Object.entries(this.inputs)) if (dims[k] !== undefined) input.value = String(dims[k]);
  }

  get visible(): boolean {
    return !this.element.hidden;
  }

  set visible(v: boolean) {
    this.element.hidden = !v;
  }

  setStatus(lines: string[]): void {
    clear(this.status);
    for (const line of lines) this.status.append(el('div', { text: line }));
  }

  setData(data: ProfileData | null): void {
    if (data) this.panel.setData(data);
  }
}

/** The colour legend over the graph (bottom-left): heat stops, which scale groups are on, and the switch between them. */
export class LegendOverlay {
  readonly element: HTMLElement;
  /** The "groups on their own scale" box was toggled. */
  onGroupScale: ((scale: GroupScale) => void) | null = null;

  constructor() {
    this.element = el('div', { class: 'legend interactive', attrs: { 'aria-label': 'Colour legend' } });
    this.element.hidden = true;
  }

  set(legend: ColourLegend | null): void {
    clear(this.element);
    this.element.hidden = !legend;
    if (!legend) return;
    this.element.append(el('div', { class: 'legend-title', text: legend.title }));
    const row = el('div', { class: 'legend-row' });
    for (const s of legend.nodes) {
      row.append(el('span', { class: 'legend-stop' }, swatch(toCss(s.colour)), el('span', { text: s.label })));
    }
    const own = legend.groupScale === 'own';
    this.element.append(
      el('div', {
        class: 'legend-sub muted legend-which',
        text: own ? 'operators' : 'one scale: operators and groups',
      }),
      row,
    );
    if (legend.groups && own) {
      this.element.append(
        el('div', {
          class: 'legend-sub muted',
          text: `groups on their own scale: ${legend.groups.format(legend.groups.min)} – ${legend.groups.format(legend.groups.max)}`,
        }),
      );
    }
    const box = el('input', {
      class: 'legend-own-scale',
      attrs: { type: 'checkbox', 'aria-label': 'Groups on their own scale' },
    });
    box.checked = own;
    box.addEventListener('change', () => this.onGroupScale?.(box.checked ? 'own' : 'shared'));
    this.element.append(el('label', { class: 'legend-sub legend-scale muted' }, box, 'groups on their own scale'));
    this.element.append(el('div', { class: 'legend-sub muted' }, swatch(toCss(NO_DATA_COLOUR)), ' no data'));
  }
}

function swatch(css: string): HTMLElement {
  const s = el('span', { class: 'legend-swatch' });
  s.style.background = css;
  return s;
}
