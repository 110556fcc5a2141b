/** Below this many nodes the garbage of an open is tens of MB and a full collection is not worth its pause. */
const LARGE_MODEL_NODES = 100_000;

/**
 * Far past V8's external-memory soft limit (64 MB over what the last full collection left), so its allocation
 * starts a full collection. It is never written, so its pages never become resident, and it is garbage itself as
 * soon as it is made.
 */
const NUDGE_BYTES = 512 << 20;

/**
 * Makes V8 free what a thread's burst of work on a large model left behind (the decode's read buffers and build
 * temporaries, the grouping's, the serialized IR copies that postMessage keeps until the receiving thread's next
 * collection), once that burst is over, instead of whenever the idle thread's collector gets to it. At 1M nodes
 * the renderer carried ~600 MB of such garbage at its first frame (1.7 GB resident, 1.04 GB after a collection in
 * each thread).
 *
 * The web has no call for a collection. What works is what V8 does when a thread's external memory jumps past its
 * limit: it starts marking the whole heap, which the thread, idle by then, finishes in its spare time. A large
 * ArrayBuffer made and dropped is such a jump. Called from a task of its own (releaseGarbageSoon), so the message
 * being handled, and the copy it holds, are garbage by then. Measured at 1M nodes: 1.19-1.31 GB at the first
 * frame instead of 1.66-1.83 GB. The collections run while the page waits for the layout, or once a worker's
 * results are sent.
 */
function releaseGarbage(): number {
  try {
    // Returned, so no minifier takes the allocation for a pure expression and drops it.
    return new ArrayBuffer(NUDGE_BYTES).byteLength;
  } catch {
    // No address space for it (a 32-bit browser): the garbage waits for the collector's own schedule.
    return 0;
  }
}

/** `releaseGarbage` for a model of `nodes` nodes, in a later task: the current message and its reply are done with. */
export function releaseGarbageSoon(nodes: number): void {
  if (nodes >= LARGE_MODEL_NODES) setTimeout(releaseGarbage, 0);
}
