import { el } from './dom.ts';

export interface ToolbarActions {
  open(): void;
  fit(): void;
  expandAll(): void;
  collapseAll(): void;
  toggleTheme(): void;
  exportPng(): void;
  exportSvg(): void;
  /** Narrow windows: show or hide the side panel, which is folded away behind a toolbar button there. */
  toggleSidePanel(): void;
}

/** The top bar: open, fit, expand/collapse all, search (slot), exports, theme. */
export class Toolbar {
  readonly element: HTMLElement;
  readonly searchSlot: HTMLElement;
  /** Profile controls (colour-by select, profile toggle, load profile), filled by the viewer. */
  readonly profileSlot: HTMLElement;
  private readonly modelButtons: (HTMLButtonElement | HTMLSelectElement)[] = [];
  private readonly themeButton: HTMLButtonElement;
  private readonly wholeButton: HTMLButtonElement;
  /** The controls that fold into the "⋯" menu on narrow windows (a plain row otherwise). */
  private readonly more: HTMLElement;
  /** Whether PNG / SVG export the whole graph rather than the view. */
  exportWhole = false;

  constructor(actions: ToolbarActions) {
    const button = (text: string, title: string, fn: () => void, needsModel = true, cls = '') => {
      const b = el('button', {
        class: `tool ${cls}`.trim(),
        text,
        title,
        attrs: { type: 'button' },
        on: { click: fn },
      });
      if (needsModel) this.modelButtons.push(b);
      return b;
    };
    this.searchSlot = el('div', { class: 'search-slot' });
    this.profileSlot = el('div', { class: 'profile-slot' });
    this.themeButton = button('◐ Theme', 'Switch light / dark theme', actions.toggleTheme, false, 'theme');
    this.wholeButton = button(
      'Whole graph',
      'PNG and SVG export the whole graph at its current expansion, not only the view',
      () => this.setExportWhole(!this.exportWhole),
      true,
      'export-whole',
    );
    this.wholeButton.setAttribute('aria-pressed', 'false');
    this.more = el(
      'div',
      { class: 'toolbar-more', attrs: { role: 'group', 'aria-label': 'More controls' } },
      button('Expand all', 'Expand every group', actions.expandAll, true, 'expand-all'),
      button('Collapse all', 'Collapse to the top-level groups', actions.collapseAll, true, 'collapse-all'),
      this.profileSlot,
      button('PNG', 'Export as PNG', actions.exportPng, true, 'export-png'),
      button('SVG', 'Export as SVG', actions.exportSvg, true, 'export-svg'),
      this.wholeButton,
      this.themeButton,
    );
    const moreToggle = button(
      '⋯',
      'More controls',
      () => this.setMoreOpen(!this.element.classList.contains('more-open')),
      false,
      'more-toggle',
    );
    moreToggle.setAttribute('aria-expanded', 'false');
    moreToggle.setAttribute('aria-label', 'More controls');
    const sideToggle = button(
      'Details',
      'Show or hide the properties panel',
      actions.toggleSidePanel,
      false,
      'side-toggle',
    );
    this.element = el(
      'header',
      { class: 'toolbar' },
      el('div', { class: 'brand', text: 'Strata' }),
      button('Open…', 'Open a model file (or drop it on the page)', actions.open, false, 'primary open'),
      el('span', { class: 'sep' }),
      button('Fit', 'Fit the whole model on screen (f)', actions.fit, true, 'fit'),
      this.searchSlot,
      this.more,
      moreToggle,
      sideToggle,
    );
    // A click on a control in the overflow menu closes it (the select keeps it open while choosing).
    this.more.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('button')) this.setMoreOpen(false);
    });
    document.addEventListener('pointerdown', (e) => {
      if (!this.element.contains(e.target as Node)) this.setMoreOpen(false);
    });
    this.setModelOpen(false);
  }

  /** A control enabled only while a model is open. */
  addModelControl(control: HTMLButtonElement | HTMLSelectElement): void {
    this.modelButtons.push(control);
    this.profileSlot.append(control);
  }

  setModelOpen(open: boolean): void {
    for (const b of this.modelButtons) b.disabled = !open;
  }

  setExportWhole(whole: boolean): void {
    this.exportWhole = whole;
    this.wholeButton.setAttribute('aria-pressed', String(whole));
    this.wholeButton.classList.toggle('on', whole);
  }

  private setMoreOpen(open: boolean): void {
    this.element.classList.toggle('more-open', open);
    this.element.querySelector('.more-toggle')?.setAttribute('aria-expanded', String(open));
  }

  setBusy(busy: boolean): void {
    this.element.classList.toggle('busy', busy);
  }
}

/** One-line status: counts, level of detail, draw calls. */
export class StatusBar {
  readonly element: HTMLElement;
  private readonly left: HTMLElement;
  private readonly right: HTMLElement;
  constructor() {
    this.left = el('span', { class: 'status-left' });
    this.right = el('span', { class: 'status-right' });
    this.element = el('footer', { class: 'statusbar' }, this.left, this.right);
  }
  set(left: string, right: string): void {
    if (this.left.textContent !== left) this.left.textContent = left;
    if (this.right.textContent !== right) this.right.textContent = right;
  }
}
