import { el } from './dom.ts';

/**
 * Every redraw of the card is a composited frame, and in a browser drawing in software (SwiftShader, no GPU) each
 * one costs the cores the decode and layout workers are using: a read reports progress per chunk, hundreds of
 * times a second on a large file.
 */
const REDRAW_MS = 250;

/** Loading overlay: stage text, a progress bar (indeterminate when the fraction is unknown), Cancel. */
export class LoadingPanel {
  readonly element: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly track: HTMLElement;
  /** The latest numbers, not yet drawn; when the card was last drawn; the timer that will draw them. */
  private pending: { stage: string; fraction: number; detail: string } | null = null;
  private shownAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(onCancel: () => void) {
    this.stage = el('div', { class: 'loading-stage' });
    this.detail = el('div', { class: 'loading-detail' });
    this.bar = el('div', { class: 'progress-bar' });
    this.track = el(
      'div',
      { class: 'progress', attrs: { role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100' } },
      this.bar,
    );
    const cancel = el('button', { class: 'cancel', text: 'Cancel', on: { click: onCancel } });
    this.element = el(
      'div',
      { class: 'overlay loading', attrs: { 'aria-live': 'polite' } },
      el('div', { class: 'card' }, this.stage, this.track, this.detail, cancel),
    );
    this.hide();
  }

  /** `detail`: the phase's numbers, e.g. "12 MB of 32 MB · 37%" (see loadingDetail). */
  show(stage: string, fraction: number, detail = ''): void {
    this.pending = { stage, fraction, detail };
    // A new stage shows at once; within a stage the numbers are redrawn at most every REDRAW_MS (see below).
    if (this.element.hidden || stage !== this.stage.textContent) return this.flush();
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.shownAt + REDRAW_MS - performance.now()));
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    this.shownAt = performance.now();
    this.element.hidden = false;
    if (this.stage.textContent !== p.stage) this.stage.textContent = p.stage;
    if (this.detail.textContent !== p.detail) this.detail.textContent = p.detail;
    if (p.fraction < 0) {
      this.track.classList.add('indeterminate');
      this.track.removeAttribute('aria-valuenow');
    } else {
      this.track.classList.remove('indeterminate');
      const pct = Math.round(Math.max(0, Math.min(1, p.fraction)) * 100);
      this.bar.style.width = `${pct}%`;
      this.track.setAttribute('aria-valuenow', String(pct));
    }
  }

  hide(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = null;
    this.element.hidden = true;
  }
}

/** The numbers under the progress bar: bytes read while reading, then the overall percentage. */
export function loadingDetail(
  fraction: number,
  bytes: { read: number; total: number } | undefined,
  size: (n: number) => string,
): string {
  const pct = fraction >= 0 ? `${Math.round(Math.min(1, fraction) * 100)}%` : '';
  if (bytes && bytes.total > 0) {
    const share = `${Math.round(Math.min(1, bytes.read / bytes.total) * 100)}%`;
    return `read ${size(bytes.read)} of ${size(bytes.total)} · ${share} of the file · ${pct} overall`;
  }
  return pct ? `${pct} overall` : '';
}

/** Error overlay with the decoder's message (one clear line) and a way out. */
export class ErrorPanel {
  readonly element: HTMLElement;
  private readonly message: HTMLElement;
  private readonly details: HTMLDetailsElement;
  private readonly detailText: HTMLElement;

  constructor(onOpen: () => void, onDismiss: () => void) {
    this.message = el('p', { class: 'error-message' });
    this.detailText = el('pre', { class: 'error-detail' });
    this.details = el(
      'details',
      { class: 'error-details' },
      el('summary', { text: 'Technical detail' }),
      this.detailText,
    );
    this.element = el(
      'div',
      { class: 'overlay error-panel', attrs: { role: 'alert' } },
      el(
        'div',
        { class: 'card' },
        el('h2', { text: 'Could not open this model' }),
        this.message,
        this.details,
        el(
          'div',
          { class: 'actions' },
          el('button', { text: 'Open another file…', on: { click: onOpen } }),
          el('button', { class: 'secondary', text: 'Dismiss', on: { click: onDismiss } }),
        ),
      ),
    );
    this.hide();
  }

  /** `detail`: the decoder's technical line, one click away under the message. */
  show(message: string, detail = ''): void {
    this.message.textContent = message;
    this.detailText.textContent = detail;
    this.details.hidden = !detail;
    this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
  }
}

/** Start screen: drop target and open button. */
export class EmptyState {
  readonly element: HTMLElement;
  constructor(onOpen: () => void) {
    this.element = el(
      'div',
      { class: 'overlay empty' },
      el(
        'div',
        { class: 'card' },
        el('h2', { text: 'Strata' }),
        el('p', { text: 'Drop a model file here (ONNX, with its external data files), or' }),
        el('button', { text: 'Open a file…', on: { click: onOpen } }),
        el('p', { class: 'muted', text: 'Nothing leaves this machine: files are read in your browser.' }),
      ),
    );
  }
  set visible(v: boolean) {
    this.element.hidden = !v;
  }
}

/** Hover tooltip that follows the pointer. */
export class Tooltip {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly detail: HTMLElement;
  constructor() {
    this.title = el('div', { class: 'tip-title' });
    this.detail = el('div', { class: 'tip-detail' });
    this.element = el('div', { class: 'tooltip', attrs: { role: 'tooltip' } }, this.title, this.detail);
    this.element.hidden = true;
  }
  show(x: number, y: number, title: string, detail: string): void {
    this.title.textContent = title;
    this.detail.textContent = detail;
    this.element.hidden = false;
    const parent = this.element.parentElement?.getBoundingClientRect();
    const px = parent ? x - parent.left : x;
    const py = parent ? y - parent.top : y;
    const w = this.element.offsetWidth;
    const maxX = (parent?.width ?? window.innerWidth) - w - 8;
    this.element.style.transform = `translate(${Math.max(4, Math.min(maxX, px + 14))}px, ${py + 16}px)`;
  }
  hide(): void {
    this.element.hidden = true;
  }
}

/** A message over the graph that the user dismisses (an export that was refused, and why). */
export class Notice {
  readonly element: HTMLElement;
  private readonly text: HTMLElement;

  constructor() {
    this.text = el('span', { class: 'notice-text' });
    this.element = el(
      'div',
      { class: 'notice', attrs: { role: 'status' } },
      this.text,
      el('button', { class: 'secondary small', text: 'OK', on: { click: () => this.hide() } }),
    );
    this.hide();
  }

  show(message: string): void {
    this.text.textContent = message;
    this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
  }
}
