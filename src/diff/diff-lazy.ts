import type { DiffOptions, DiffSide, ModelDiff } from './types.ts';

/** `diffModels` loaded on first use: the decode worker starts without the comparison engine until a compare. */
export async function diffModels(sideA: DiffSide, sideB: DiffSide, options: DiffOptions = {}): Promise<ModelDiff> {
  const { diffModels: diff } = await import('./diff.ts');
  return diff(sideA, sideB, options);
}
