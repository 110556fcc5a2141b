import type { StreamedBody } from './streamed-body.ts';

/** A read this far past the streamed bytes is made on its own rather than waiting for the stream to reach it. */
export const FAR_AHEAD = 4 << 20;

/**
 * [start, end) from the streamed front of a file, once those bytes have arrived; null when the head will not serve
 * them (past its end, far beyond what has arrived, or the stream stopped short) and the caller reads them its own
 * way (a range request, a Blob slice).
 */
export async function readFromHead(head: StreamedBody, start: number, end: number): Promise<Uint8Array | null> {
  if (end > head.bytes.length || (start > head.arrived + FAR_AHEAD && !head.settled)) return null;
  await head.waitFor(end);
  return end <= head.arrived ? head.bytes.subarray(start, end) : null;
}
