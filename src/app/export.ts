import type { Rect } from '../culling/spatial.ts';
import type { Scene } from '../scene/scene.ts';
import type { SceneSource } from '../scene/draw/emit.ts';
import type { Theme } from '../scene/palette.ts';
import { buildSvg } from '../scene/svg-export.ts';

/** Export sizing: the whole graph at a size whose labels stay readable, within what a browser canvas can hold. */
export const EXPORT_LIMITS = {
  /** Operator box height in the file: tall enough for names, attributes and shapes (the "full" tier). */
  readableNodePx: 34,
  /** Smallest acceptable box height: op-type labels still show. */
  minNodePx: 14,
  /** Chromium's canvas limits (a side, and the area); larger PNGs are refused with a message. */
  maxSide: 16384,
  maxPixels: 16384 * 8192,
  margin: 24,
} as const;

/** A refused export: the message says why and what to do instead. */
export class ExportRefused extends Error {}

export interface ExportPlan {
  view: Rect;
  scale: number;
  width: number;
  height: number;
}

/**
 * Where and how large the whole graph is drawn: at a readable scale, shrunk to fit the canvas limits when it is
 * a raster (`limit`), but never below the smallest readable scale (then refused).
 */
export function planWholeExport(bounds: Rect, nodeHeight: number, limit: boolean): ExportPlan {
  const L = EXPORT_LIMITS;
  const m = L.margin;
  const view = { minX: bounds.minX - m, minY: bounds.minY - m, maxX: bounds.maxX + m, maxY: bounds.maxY + m };
  const w = view.maxX - view.minX;
  const h = view.maxY - view.minY;
  let scale = L.readableNodePx / Math.max(1e-6, nodeHeight);
  if (limit) {
    const fits = Math.min(L.maxSide / w, L.maxSide / h, Math.sqrt(L.maxPixels / (w * h)));
    const least = L.minNodePx / Math.max(1e-6, nodeHeight);
    if (fits < least) {
      const W = Math.ceil(w * least);
      const H = Math.ceil(h * least);
      throw new ExportRefused(
        `The whole graph is too large for one PNG: at the smallest readable size it would be ${W.toLocaleString('en-US')} × ${H.toLocaleString('en-US')} px, ` +
          `and a PNG can be at most ${L.maxSide.toLocaleString('en-US')} px a side. Collapse some groups, export the view, or export SVG (no size limit).`,
      );
    }
    scale = Math.min(scale, fits);
  }
  return { view, scale, width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

export interface ExportContext {
  scene: Scene;
  source: SceneSource;
  theme: Theme;
}

/** The SVG of the view, or of the whole graph at its current expansion. */
export function exportSvgText(ctx: ExportContext, whole: boolean, limit = false): string | null {
  const { scene } = ctx;
  const culler = scene.culler;
  if (!culler || !scene.layout) return null;
  const plan = whole ? planWholeExport(culler.index.bounds, culler.nodeHeight, limit) : null;
  const view = plan ? scene.exportRect(plan.view, plan.scale, plan.width, plan.height) : scene.exportView();
  if (!view) return null;
  return buildSvg({ ...view, layout: scene.layout, source: ctx.source, theme: ctx.theme });
}

/** The whole graph as a PNG: the same drawing as the SVG export, rasterised by the browser. */
export async function exportWholePng(ctx: ExportContext): Promise<Blob> {
  const svg = exportSvgText(ctx, true, true);
  if (!svg) throw new ExportRefused('Open a model first.');
  const size = /width="(\d+)" height="(\d+)"/.exec(svg);
  const width = Number(size?.[1] ?? 0);
  const height = Number(size?.[2] ?? 0);
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const c = canvas.getContext('2d');
    if (!c) throw new ExportRefused('This browser cannot draw an image this large; export SVG instead.');
    c.drawImage(img, 0, 0, width, height);
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/png'));
    if (!blob)
      throw new ExportRefused(`The browser could not encode a ${width} × ${height} px PNG; export SVG instead.`);
    return blob;
  } finally {
    URL.revokeObjectURL(url);
  }
}
