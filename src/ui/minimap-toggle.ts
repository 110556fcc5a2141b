import { el } from './dom.ts';

/**
 * Hides or shows the minimap (button in its corner, or the `m` key). The choice is a class on the graph host, so
 * the minimap itself stays unaware of it; it is remembered across visits.
 */
export class MinimapToggle {
  readonly element: HTMLButtonElement;

  constructor(private readonly host: HTMLElement) {
    this.element = el('button', {
      class: 'minimap-toggle',
      attrs: { type: 'button' },
      on: { click: () => this.toggle() },
    });
    let hidden = false;
    try {
      hidden = localStorage.getItem('strata-minimap') === 'off';
    } catch {
      /* storage may be unavailable */
    }
    this.set(!hidden);
  }

  get shown(): boolean {
    return !this.host.classList.contains('minimap-off');
  }

  toggle(): void {
    this.set(!this.shown);
  }

  set(shown: boolean): void {
    this.host.classList.toggle('minimap-off', !shown);
    this.element.textContent = shown ? 'Hide map' : 'Map';
    this.element.title = shown ? 'Hide the overview map (m)' : 'Show the overview map (m)';
    this.element.setAttribute('aria-pressed', String(shown));
    try {
      localStorage.setItem('strata-minimap', shown ? 'on' : 'off');
    } catch {
      /* ignore */
    }
  }
}
