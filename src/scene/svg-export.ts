import type { Tier } from '../culling/lod.ts';
import type { Rect } from '../culling/spatial.ts';
import type { ViewLayout } from '../layout/types.ts';
import { emitView, type SceneSource } from './draw/emit.ts';
import type { DiffPaint } from './draw/diff-paint.ts';
import type { PackedHeat } from './draw/heat.ts';
import { EDGE_ARROW_MAX } from './draw/sink.ts';
import { SvgSink, fmt } from './draw/svg-sink.ts';
import { cssColor, type Theme } from './palette.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Upper bound on exported shapes, so an overview of a huge model stays a usable file. */
const MAX_SHAPES = 60000;

export interface SvgExportInput {
  layout: ViewLayout;
  source: SceneSource;
  theme: Theme;
  heat: PackedHeat | null;
  diff?: DiffPaint | null;
  view: Rect;
  boxes: ArrayLike<number>;
  edges: ArrayLike<number>;
  tier: Tier;
  nodeHeight: number;
  /** Screen size the view maps to. */
  width: number;
  height: number;
}

/**
 * The current view as SVG: the visible boxes, edges and labels, drawn by the same emitter as the canvas, so the
 * file shows what the screen shows at this level of detail (fitted labels, arrowheads, heat colours).
 */
export function buildSvg(input: SvgExportInput): string {
  const { view } = input;
  const w = view.maxX - view.minX;
  const h = view.maxY - view.minY;
  const scale = input.width / Math.max(1e-9, w);
  const sink = new SvgSink({ scale, arrowMax: input.nodeHeight * EDGE_ARROW_MAX, maxShapes: MAX_SHAPES });
  emitView(
    {
      layout: input.layout,
      source: input.source,
      boxes: input.boxes,
      boxCount: input.boxes.length,
      edges: input.edges,
      edgeCount: input.edges.length,
      tier: input.tier,
      scale,
      nodeHeight: input.nodeHeight,
      theme: input.theme,
      heat: input.heat,
      diff: input.diff,
      originX: 0,
      originY: 0,
    },
    sink,
  );
  const viewBox = `${fmt(view.minX)} ${fmt(view.minY)} ${fmt(w)} ${fmt(h)}`;
  const background = `<rect x="${fmt(view.minX)}" y="${fmt(view.minY)}" width="${fmt(w)}" height="${fmt(h)}" fill="${cssColor(input.theme.background)}"/>`;
  return `<svg xmlns="${SVG_NS}" viewBox="${viewBox}" width="${input.width}" height="${input.height}">${background}${sink.markup()}</svg>`;
}
