/**
 * User Timing marks of the open in progress, taken in the decode worker, so the browser's decode time can be split
 * into its parts (bench/decode-browser.ts reads them from the worker): the request reaches the worker, the source is
 * open (a URL's first response), the first and the last byte a decoder read arrive, the model is decoded. Each open
 * clears the previous one's.
 */
export const OPEN_MARKS = [
  'strata:decode-start',
  'strata:decode-source',
  'strata:decode-first-byte',
  'strata:decode-last-byte',
  'strata:decode-done',
] as const;

export type OpenMark = (typeof OPEN_MARKS)[number];

/** Marks `name` now, or at `startTime` (performance.now() of this thread) when the moment has already passed. */
export function markOpen(name: OpenMark, startTime?: number): void {
  if (name === 'strata:decode-start') for (const m of OPEN_MARKS) performance.clearMarks(m);
  performance.mark(name, startTime === undefined ? undefined : { startTime });
}
