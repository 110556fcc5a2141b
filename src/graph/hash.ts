/**
 * 32-bit murmur3-style hashing shared by structural signatures (hierarchy structure classes, diff signatures).
 * Signatures only choose candidates — every match is re-checked — so 32 bits suffice.
 */

export function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

export function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return finish(mix(h, s.length));
}

/** Hashes a number exactly (integers and floats alike) through its two 32-bit halves. */
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
export function mixNumber(h: number, x: number): number {
  f64[0] = x;
  return mix(mix(h, u32[0]), u32[1]);
}
