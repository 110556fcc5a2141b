import type { DiffOptions, ModelDiff } from './types.ts';

/**
 * The diff part of the decode worker's comlink surface: the engine runs next to the two open models (the decode
 * service's baseline A and open model B), so nothing but the result crosses threads. Its typed arrays are
 * transferred, not copied.
 */
export interface DiffApi {
  /** Diffs the baseline (A) against the open model (B) of the comparison opened with `openComparison`. */
  compare(options?: DiffOptions): Promise<ModelDiff>;
}
