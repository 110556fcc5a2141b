import { el } from '../ui/dom.ts';
import type { Controller } from './controller.ts';

/**
 * The toolbar toggle between constants folded into their consumers' boxes (the default, like Netron) and
 * constants drawn as nodes of their own (to see how one constant is shared).
 */
export function constantsToggle(ctl: Controller, report: (err: unknown) => void): HTMLButtonElement {
  const button = el('button', {
    class: 'tool constants-toggle',
    text: 'Constants as nodes',
    title: 'Show constants as nodes of their own instead of rows of the boxes that use them',
    attrs: { type: 'button', 'aria-pressed': 'false' },
  });
  const sync = () => {
    const shown = ctl.model ? !ctl.model.boxes.foldConstants : false;
    button.setAttribute('aria-pressed', String(shown));
    button.classList.toggle('active', shown);
  };
  button.addEventListener('click', () => {
    const model = ctl.model;
    if (!model) return;
    void ctl.setFoldConstants(!model.boxes.foldConstants).then(sync, report);
  });
  ctl.onChange(sync);
  return button;
}
