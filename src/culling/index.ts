export { Culler, type VisibleSet, type CullerOptions } from './culler.ts';
export { SpatialIndex, type Rect } from './spatial.ts';
export { Tier, TIER_NAMES, tierFor, typicalNodeHeight } from './lod.ts';
export { OverviewPyramid, type PyramidLevel } from './pyramid.ts';
