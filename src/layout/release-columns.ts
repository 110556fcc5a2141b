import { columnBuffers } from '../graph/column-buffers.ts';
import type { GraphIR } from '../graph/ir.ts';

/**
 * Frees the column buffers of an IR copy that nothing reads any more, now instead of at the next garbage
 * collection: an idle worker allocates nothing, so V8 may not collect for tens of seconds, and the layout worker's
 * copy of a 1M-node model (83 MB of columns) would stay resident through the first frame. Detaching also makes a
 * stray later read fail loudly (an empty column) instead of reading stale data.
 */
export function releaseColumns(ir: GraphIR): void {
  for (const buffer of columnBuffers(ir)) detach(buffer);
}

function detach(buffer: ArrayBuffer): void {
  // `transfer(0)` (ES2024) drops the backing store at once; where it is missing (Node 20), a transfer through
  // structuredClone still detaches the buffer and leaves its bytes to the collector.
  const transfer = (buffer as { transfer?: (length: number) => ArrayBuffer }).transfer;
  if (transfer) transfer.call(buffer, 0);
  else structuredClone(buffer, { transfer: [buffer] });
}
