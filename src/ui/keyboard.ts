export interface KeyActions {
  search(): void;
  fit(): void;
  escape(): void;
  zoomIn(): void;
  zoomOut(): void;
}

/** Global shortcuts: / search, f fit, Esc clear, + / - zoom. Ignored while typing in a field (except Esc). */
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
        actions.zoomIn();
        break;
      case '-':
      case '_':
        e.preventDefault();
        actions.zoomOut();
        break;
    }
  });
}
