/**
 * Colour-by-metric for the graph view: turns a per-node or per-group metric (FLOPs, parameters, runtime, memory)
 * into 0xRRGGBB colours on a perceptually ordered ramp, plus legend stops. Pure (no DOM, no pixi): the scene reads
 * the Uint32Array straight into its batched geometry.
 *
 * API
 *   colourByMetric(values, options?) → { colours: Uint32Array, legend: {colour, label}[], scale, min, max }
 *     values: one number per node (or per group); NaN, negative, or `unknown[i] = 1` → `noData` colour (grey).
 *     options.scale: 'linear' | 'log' | 'auto' (default auto: log when the positive values span > 2 decades).
 *     options.ramp: 'heat' (light yellow → dark red, default) | 'viridis'.
 *     options.format: legend label formatter (default: SI prefixes, `1.2 G`).
 *     options.stops: legend stops (default 5).
 *   rampColour(t, ramp?) → 0xRRGGBB for t in [0, 1].
 *   toCss(colour) → '#rrggbb' (legend swatches).
 */

import { formatSi } from './format.ts';

export type RampName = 'heat' | 'viridis';

/** What the graph is coloured by: op category (the default), parameters, FLOPs, or measured runtime. */
export type ColorMode = 'category' | 'params' | 'flops' | 'runtime';
export const COLOR_MODES: readonly ColorMode[] = ['category', 'params', 'flops', 'runtime'];

export interface LegendStop {
  colour: number;
  label: string;
}

/** What the legend overlay shows for a colour-by-metric mode: operator stops and the groups' own range. */
export interface ColourLegend {
  title: string;
  nodes: LegendStop[];
  groups: { min: number; max: number; format: (v: number) => string } | null;
  /** 'shared': operators and groups on one scale (the stops cover both); 'own': groups have their own range. */
  groupScale: GroupScale;
}

export type GroupScale = 'shared' | 'own';

/**
 * Colours operators and groups. On the shared scale (the default) one ramp spans both, so a group is never lighter
 * than an operator with a smaller value; on its own scale each set spans the whole ramp.
 */
export function colourNodesAndGroups(
  node: ArrayLike<number>,
  group: ArrayLike<number>,
  groupScale: GroupScale,
  options: ColourOptions = {},
): { nodes: ColourScale; groups: ColourScale } {
  if (groupScale === 'own')
    return { nodes: colourByMetric(node, options), groups: colourByMetric(group, { ...options, unknown: undefined }) };
  const all = new Float64Array(node.length + group.length);
  for (let i = 0; i < node.length; i++) all[i] = node[i];
  for (let i = 0; i < group.length; i++) all[node.length + i] = group[i];
  let unknown: Uint8Array | undefined;
  if (options.unknown) {
    unknown = new Uint8Array(all.length);
    for (let i = 0; i < node.length; i++) unknown[i] = options.unknown[i] ? 1 : 0;
  }
  const both = colourByMetric(all, { ...options, unknown });
  const nodes: ColourScale = { ...both, colours: both.colours.subarray(0, node.length) };
  const groups: ColourScale = { ...both, colours: both.colours.subarray(node.length) };
  return { nodes, groups };
}

export interface ColourScale {
  colours: Uint32Array;
  legend: LegendStop[];
  scale: 'linear' | 'log';
  /** Smallest and largest positive value coloured (0 / 0 when there is none). */
  min: number;
  max: number;
}

export interface ColourOptions {
  scale?: 'linear' | 'log' | 'auto';
  ramp?: RampName;
  unknown?: ArrayLike<number>;
  format?: (v: number) => string;
  stops?: number;
  noData?: number;
}

/** Grey for "no value" (unknown shape, not executed). */
export const NO_DATA_COLOUR = 0x9aa3b5;

// Control points: ColorBrewer YlOrRd (9 classes) and matplotlib viridis sampled at ninths.
const RAMPS: Record<RampName, readonly number[]> = {
  heat: [0xffffcc, 0xffeda0, 0xfed976, 0xfeb24c, 0xfd8d3c, 0xfc4e2a, 0xe31a1c, 0xbd0026, 0x800026],
  viridis: [0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962, 0xaddc30, 0xfde725],
};

/** Colour at t ∈ [0, 1] (clamped), interpolated between the ramp's control points. */
export function rampColour(t: number, ramp: RampName = 'heat'): number {
  const stops = RAMPS[ramp];
  const x = (Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  const ch = (shift: number) => Math.round(((a >> shift) & 255) * (1 - f) + ((b >> shift) & 255) * f);
  return (ch(16) << 16) | (ch(8) << 8) | ch(0);
}

export function toCss(colour: number): string {
  return `#${(colour & 0xffffff).toString(16).padStart(6, '0')}`;
}

export function colourByMetric(values: ArrayLike<number>, options: ColourOptions = {}): ColourScale {
  const ramp = options.ramp ?? 'heat';
  const noData = options.noData ?? NO_DATA_COLOUR;
  const format = options.format ?? formatSi;
  const unknown = options.unknown;
  const n = values.length;
  let min = Infinity;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!(v > 0) || (unknown && unknown[i])) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (max === 0) min = 0;
  const scale =
    options.scale === 'linear' || options.scale === 'log'
      ? options.scale
      : max > 0 && max / min > 100
        ? 'log'
        : 'linear';
  const logMin = Math.log(min || 1);
  const logSpan = Math.log(max || 1) - logMin;
  const position = (v: number): number => {
    if (max <= 0 || v <= 0) return 0;
    if (scale === 'log') return logSpan > 0 ? (Math.log(v) - logMin) / logSpan : 1;
    return v / max;
  };
  const colours = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    colours[i] = Number.isNaN(v) || v < 0 || (unknown && unknown[i]) ? noData : rampColour(position(v), ramp);
  }
  const count = Math.max(2, options.stops ?? 5);
  const legend: LegendStop[] = [];
  for (let k = 0; k < count; k++) {
    const t = k / (count - 1);
    const v = scale === 'log' ? Math.exp(logMin + t * logSpan) : t * max;
    legend.push({ colour: rampColour(t, ramp), label: max > 0 ? format(v) : '0' });
  }
  return { colours, legend, scale, min: max > 0 ? min : 0, max };
}
