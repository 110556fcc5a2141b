/** How long a lost WebGL context may take to come back before the scene switches to Canvas2D. */
export const RESTORE_WAIT_MS = 1500;

export interface ContextLossHandlers {
  /** The context is gone: stop drawing with it. */
  lost(): void;
  /** The browser gave it back: rebuild GPU data and draw again. */
  restored(): void;
  /** It did not come back in time: draw some other way. */
  giveUp(): void;
}

/**
 * Watches a WebGL canvas for context loss (GPU resets, driver updates, too many contexts). pixi asks the browser
 * to restore the context (it cancels the loss event); if that takes longer than `waitMs`, `giveUp` is called
 * once and the watcher stops. Returns a function that stops watching.
 */
export function watchContextLoss(
  canvas: HTMLCanvasElement,
  handlers: ContextLossHandlers,
  waitMs = RESTORE_WAIT_MS,
): () => void {
  let timer = 0;
  const onLost = (e: Event) => {
    e.preventDefault();
    handlers.lost();
    clearTimeout(timer);
    timer = window.setTimeout(() => {
      stop();
      handlers.giveUp();
    }, waitMs);
  };
  const onRestored = () => {
    clearTimeout(timer);
    handlers.restored();
  };
  const stop = () => {
    clearTimeout(timer);
    canvas.removeEventListener('webglcontextlost', onLost);
    canvas.removeEventListener('webglcontextrestored', onRestored);
  };
  canvas.addEventListener('webglcontextlost', onLost);
  canvas.addEventListener('webglcontextrestored', onRestored);
  return stop;
}
