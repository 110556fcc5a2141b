import { BitmapFont, BitmapText, Container } from 'pixi.js';

export const LABEL_FONT = 'strata-label';
/** Glyph size in the atlas; labels are scaled in world space from it. */
const BASE_SIZE = 32;
/** Advance of one monospace glyph relative to the font size (for cheap truncation without measuring). */
export const CHAR_ADVANCE = 0.6;

let installed = false;

export function installLabelFont(): void {
  if (installed) return;
  installed = true;
  BitmapFont.install({
    name: LABEL_FONT,
    style: {
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace',
      fontSize: BASE_SIZE,
      fill: 0xffffff,
    },
    chars: [[' ', '~'], '…×·−'],
    resolution: 1,
    padding: 4,
  });
}

/** Cuts text to at most `max` characters with an ellipsis. */
export function fitText(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max) return text;
  if (max <= 1) return '…';
  return `${text.slice(0, max - 1)}…`;
}

interface Slot {
  text: BitmapText;
  key: number;
  generation: number;
}

/**
 * A pool of BitmapText labels keyed by what they label. A rebuild re-places only labels whose key is new or
 * whose text changed; everything else keeps its glyph layout. Text objects are reused, never created per frame.
 */
export class LabelPool {
  readonly container = new Container({ label: 'labels' });
  private readonly byKey = new Map<number, Slot>();
  private readonly free: Slot[] = [];
  private generation = 0;
  readonly max: number;
  used = 0;

  constructor(max = 5000) {
    this.max = max;
    this.container.eventMode = 'none';
    this.container.interactiveChildren = false;
  }

  begin(): void {
    this.generation++;
    this.used = 0;
  }

  get full(): boolean {
    return this.used >= this.max;
  }

  /**
   * Places a label: (x, y) is the anchor point in world units, `size` the font size in world units,
   * anchor 0 = left/top, 0.5 = centre.
   */
  place(key: number, text: string, x: number, y: number, size: number, tint: number, anchorX: number, anchorY: number): void {
    if (this.used >= this.max || !text) return;
    let slot = this.byKey.get(key);
    if (!slot) {
      slot = this.free.pop() ?? this.create();
      slot.key = key;
      this.byKey.set(key, slot);
    }
    slot.generation = this.generation;
    const t = slot.text;
    if (t.text !== text) t.text = text;
    const s = size / BASE_SIZE;
    if (t.scale.x !== s) t.scale.set(s);
    if (t.x !== x || t.y !== y) t.position.set(x, y);
    if (t.anchor.x !== anchorX || t.anchor.y !== anchorY) t.anchor.set(anchorX, anchorY);
    if (t.tint !== tint) t.tint = tint;
    if (!t.visible) t.visible = true;
    this.used++;
  }

  /** Hides labels not placed since begin(). */
  end(): void {
    for (const [key, slot] of this.byKey) {
      if (slot.generation !== this.generation) {
        slot.text.visible = false;
        this.byKey.delete(key);
        this.free.push(slot);
      }
    }
  }

  clear(): void {
    this.begin();
    this.end();
  }

  private create(): Slot {
    installLabelFont();
    const text = new BitmapText({ text: '', style: { fontFamily: LABEL_FONT, fontSize: BASE_SIZE } });
    text.eventMode = 'none';
    this.container.addChild(text);
    return { text, key: -1, generation: 0 };
  }

  destroy(): void {
    this.container.destroy({ children: true });
    this.byKey.clear();
    this.free.length = 0;
  }
}
