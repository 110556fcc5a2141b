/** Format versions this reader knows. */
export const SUPPORTED = new Set([16, 17, 18, 19]);

/** An int64 version 16–19 (upper bytes zero) followed by a small input count. */
export function looksLikeBarracuda(head: Uint8Array): boolean {
  if (head.length < 16) return false;
  if (!SUPPORTED.has(head[0])) return false;
  for (let i = 1; i < 8; i++) if (head[i] !== 0) return false;
  const inputs = head[8] | (head[9] << 8) | (head[10] << 16) | (head[11] << 24);
  return inputs >= 0 && inputs < 1024;
}
