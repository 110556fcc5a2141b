import { rgba } from '../palette.ts';

/**
 * Colour-by-metric overlay: heat colours (0xRRGGBB) per node and per group (groups by their summed metric), and
 * an optional suffix for collapsed group labels (totals).
 */
export interface SceneHeat {
  node: Uint32Array;
  group: Uint32Array;
  groupSuffix?: (group: number) => string;
}

/** A SceneHeat packed once into the RGBA words the emitter hands its sinks, so frames only read them. */
export interface PackedHeat {
  nodeFill: Uint32Array;
  nodeStroke: Uint32Array;
  groupFill: Uint32Array;
  groupStroke: Uint32Array;
  nodeText: Uint32Array;
  groupText: Uint32Array;
  groupSuffix?: (group: number) => string;
}

/** Dark or light text, whichever reads on the heat colour. */
function textOn(rgb: number): number {
  const l = 0.299 * ((rgb >> 16) & 255) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255);
  return rgba(l > 140 ? 0x1f2a3d : 0xffffff, 1);
}

function darken(rgb: number, f: number): number {
  return ((((rgb >> 16) & 255) * f) << 16) | ((((rgb >> 8) & 255) * f) << 8) | ((rgb & 255) * f);
}

export function packHeat(h: SceneHeat): PackedHeat {
  const pack = (src: Uint32Array, f: number) => {
    const out = new Uint32Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = rgba(f === 1 ? src[i] : darken(src[i], f), 1);
    return out;
  };
  return {
    nodeFill: pack(h.node, 1),
    nodeStroke: pack(h.node, 0.6),
    groupFill: pack(h.group, 1),
    groupStroke: pack(h.group, 0.6),
    nodeText: h.node.map(textOn),
    groupText: h.group.map(textOn),
    groupSuffix: h.groupSuffix,
  };
}
