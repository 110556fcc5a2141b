import type { Tier } from '../culling/lod.ts';
import type { BoxTarget, DrawSink, EdgeTarget } from './draw/sink.ts';

/** Which drawing backend a scene runs on. */
export type BackendKind = 'webgl' | 'canvas';

/** A sink the scene refills whenever the visible set changes. */
export interface LayerSink extends DrawSink {
  begin(boxes: number, edgePrimitives: number): void;
  commit(): void;
}

/** What a frame is drawn with besides the camera transform (which the backend reads from the viewport). */
export interface FrameView {
  /** Screen pixels per layout unit. */
  scale: number;
  tier: Tier;
  /** Height of a typical operator box in layout units. */
  nodeHeight: number;
}

/**
 * The part of the scene that turns draw data into pixels: WebGL batches (`webgl-backend.ts`) or Canvas2D draw
 * lists (`canvas-backend.ts`). The camera, culling, render loop, overlay state, input and minimap are shared;
 * the backend holds the layers they fill and draws a frame.
 */
export interface SceneBackend {
  readonly kind: BackendKind;
  /** Shown in state().renderer: the GPU renderer's name, or 'Canvas2D'. */
  readonly rendererName: string;
  /** The model layers (frames and groups, edges, operators, labels), filled through the drawing emitter. */
  readonly sink: LayerSink;
  /** The highlight layers (hover, selection, pulse). */
  readonly overlayBoxes: BoxTarget;
  readonly overlayEdges: EdgeTarget;
  /** Does the slow one-time work (shader compilation, glyph upload) now rather than on the first real frame. */
  prime(): void;
  /** Draws one frame; returns how many draw calls it took. */
  render(view: FrameView | null): number;
  destroy(): void;
}
