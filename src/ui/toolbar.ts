import { el } from './dom.ts';

export interface ToolbarActions {
  open(): void;
  fit(): void;
  expandAll(): void;
  collapseAll(): void;
  toggleTheme(): void;
  exportPng(): void;
  exportSvg(): void;
}

/** The top bar: open, fit, expand/collapse all, search (slot), exports, theme. */
export class Toolbar {
  readonly element: HTMLElement;
  readonly searchSlot: HTMLElement;
  /** Profile controls (colour-by select, profile toggle, load profile), filled by the viewer. */
  readonly profileSlot: HTMLElement;
  private readonly modelButtons: (HTMLButtonElement | HTMLSelectElement)[] = [];
  private readonly themeButton: HTMLButtonElement;

  constructor(actions: ToolbarActions) {
    const button = (text: string, title: string, fn: () => void, needsModel = true, cls = '') => {
      const b = el('button', { class: `tool ${cls}`.trim(), text, title, attrs: { type: 'button' }, on: { click: fn } });
      if (needsModel) this.modelButtons.push(b);
      return b;
    };
    this.searchSlot = el('div', { class: 'search-slot' });
    this.profileSlot = el('div', { class: 'profile-slot' });
    this.themeButton = button('◐ Theme', 'Switch light / dark theme', actions.toggleTheme, false, 'theme');
    this.element = el('header', { class: 'toolbar' },
      el('div', { class: 'brand', text: 'Strata' }),
      button('Open…', 'Open a model file (or drop it on the page)', actions.open, false, 'primary open'),
      el('span', { class: 'sep' }),
      button('Fit', 'Fit the whole model on screen (f)', actions.fit, true, 'fit'),
      button('Expand all', 'Expand every group', actions.expandAll, true, 'expand-all'),
      button('Collapse all', 'Collapse to the top-level groups', actions.collapseAll, true, 'collapse-all'),
      this.searchSlot,
      this.profileSlot,
      button('PNG', 'Export the current view as PNG', actions.exportPng, true, 'export-png'),
      button('SVG', 'Export the current view as SVG', actions.exportSvg, true, 'export-svg'),
      this.themeButton);
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
