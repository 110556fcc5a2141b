export interface KeyActions {
  search(): void;
  fit(): void;
  escape(): void;
  /** `repeat`: the key is held (auto-repeat), so take a small step that blends into the next one. */
  zoomIn(repeat: boolean): void;
  zoomOut(repeat: boolean): void;
  /** `m`: show or hide the minimap. */
  toggleMinimap(): void;
  /** Next / previous change of a comparison (n / p). */
  nextChange?(): void;
  previousChange?(): void;
}

/** Global shortcuts: / search, f fit, Esc clear, + / - zoom, m minimap, n / p next / previous change. Ignored while typing in a field (except Esc). */
export function installKeyboard(actions: KeyActions): void {
  window.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement | null;
    const typing = !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
    if (e.key === 'Escape') {
      actions.escape();
      return;
    }
    if (typing) return;
    switch (e.key) {
      case '/':
        e.preventDefault();
        actions.search();
        break;
      case 'f':
      case 'F':
        e.preventDefault();
        actions.fit();
        break;
      case '+':
      case '=':
        e.preventDefault();
        actions.zoomIn(e.repeat);
        break;
      case '-':
      case '_':
        e.preventDefault();
        actions.zoomOut(e.repeat);
        break;
      case 'm':
      case 'M':
        e.preventDefault();
        actions.toggleMinimap();
        break;
      case 'n':
        if (actions.nextChange) {
          e.preventDefault();
          actions.nextChange();
        }
        break;
      case 'p':
        if (actions.previousChange) {
          e.preventDefault();
          actions.previousChange();
        }
        break;
    }
  });
}
