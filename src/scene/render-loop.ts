import { Ticker, UPDATE_PRIORITY } from 'pixi.js';

/** Ticks with nothing to draw before the tickers stop, so an idle page burns no CPU. */
const IDLE_TICKS = 30;

export interface FrameSource {
  /** Whether the view moved since the last frame (a frame is then due even if nothing was marked dirty). */
  moved(): boolean;
  /** Something keeps the view moving without frames being asked for (a camera animation, a held pointer). */
  busy(): boolean;
  /** Draws one frame; returns true when the next tick must draw again (an overlay still animating). */
  draw(): boolean;
}

/**
 * On-demand rendering: a frame is drawn on the next tick after something changed (`markDirty`) or the view
 * moved, never in a busy loop. Promises from `nextFrame` resolve once a frame reflecting everything requested
 * before them is drawn. After a few idle ticks the shared tickers stop; `wake` restarts them.
 */
export class RenderLoop {
  private dirty = true;
  private waiters: (() => void)[] = [];
  private idleTicks = 0;

  constructor(private readonly source: FrameSource) {
    Ticker.shared.add(this.tick, this, UPDATE_PRIORITY.LOW);
  }

  /** Resolves once a frame reflecting everything requested so far has been drawn. */
  nextFrame(): Promise<void> {
    this.markDirty();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Something changed: draw on the next animation frame. */
  markDirty(): void {
    this.dirty = true;
    this.wake();
  }

  /** Restarts the tickers (stopped while idle). */
  wake(): void {
    this.idleTicks = 0;
    if (!Ticker.shared.started) Ticker.shared.start();
    if (!Ticker.system.started) Ticker.system.start();
  }

  /** Draws now, synchronously (PNG export must read the canvas in the same task). */
  renderNow(): void {
    this.dirty = true;
    this.tick();
  }

  stop(): void {
    Ticker.shared.remove(this.tick, this);
  }

  private tick(): void {
    if (this.source.moved()) this.dirty = true;
    if (!this.dirty && this.waiters.length === 0) {
      this.sleepIfIdle();
      return;
    }
    this.idleTicks = 0;
    this.dirty = this.source.draw();
    const waiters = this.waiters;
    if (waiters.length) {
      this.waiters = [];
      for (const w of waiters) w();
    }
  }

  private sleepIfIdle(): void {
    if (++this.idleTicks < IDLE_TICKS) return;
    if (this.source.busy()) return;
    Ticker.shared.stop();
    Ticker.system.stop();
  }
}
