/** A pointer that moved less than this many pixels between down and up is a click, not a drag. */
const CLICK_SLOP_PX = 5;

export interface PointerTarget {
  /** The box under a client-space point, or -1. */
  hitTest(clientX: number, clientY: number): number;
  /** A press started: camera animations give way to the user. */
  pressed(): void;
  click(box: number, event: PointerEvent): void;
  dblclick(box: number, event: MouseEvent): void;
  /** The pointer moved over `box` (-1: nothing, or the pointer left the canvas with a null event). */
  hover(box: number, event: PointerEvent | null): void;
}

/**
 * Canvas pointer input for the scene: clicks (a press and release without dragging), double-clicks and hover,
 * each resolved to the box under the pointer. Pan and zoom gestures belong to the viewport, not here.
 */
export class PointerInput {
  private down: { x: number; y: number; id: number } | null = null;

  constructor(canvas: HTMLCanvasElement, target: PointerTarget) {
    canvas.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      this.down = { x: e.clientX, y: e.clientY, id: e.pointerId };
      target.pressed();
    });
    canvas.addEventListener('pointerup', (e) => {
      const down = this.down;
      this.down = null;
      if (!down || down.id !== e.pointerId) return;
      if (Math.hypot(e.clientX - down.x, e.clientY - down.y) > CLICK_SLOP_PX) return;
      target.click(target.hitTest(e.clientX, e.clientY), e);
    });
    canvas.addEventListener('dblclick', (e) => target.dblclick(target.hitTest(e.clientX, e.clientY), e));
    canvas.addEventListener('pointermove', (e) => {
      if (e.buttons !== 0) return;
      target.hover(target.hitTest(e.clientX, e.clientY), e);
    });
    canvas.addEventListener('pointerleave', () => target.hover(-1, null));
  }

  /** A button is held (a drag may be in progress). */
  get pressing(): boolean {
    return this.down !== null;
  }
}
