/**
 * Writes GGUF v3 files from the specification (ggml docs/gguf.md) for tests: no real quantized GGUF small enough
 * exists in public repositories, so Q4_0/Q8_0/K-quant tensors are made here, with given or random block bytes.
 */
export interface GgufTensorSpec {
  name: string;
  /** ggml order: ne[0] is the row. */
  ne: number[];
  type: number;
  /** Payload; random bytes of the right size when omitted. */
  data?: Uint8Array;
}

export type GgufKv = [key: string, type: 'string' | 'u32' | 'f32', value: string | number];

const BLOCK: Record<number, [number, number]> = {
  0: [1, 4],
  1: [1, 2],
  2: [32, 18],
  3: [32, 20],
  8: [32, 34],
  12: [256, 144],
  14: [256, 210],
  30: [1, 2],
};

export function ggufTensorBytes(type: number, ne: number[]): number {
  const [block, size] = BLOCK[type];
  return (ne.reduce((a, b) => a * b, 1) / block) * size;
}

export function writeGguf(kvs: GgufKv[], tensors: GgufTensorSpec[], alignment = 32): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number) => parts.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255);
  const u64 = (v: number) => {
    u32(v % 4294967296);
    u32(Math.floor(v / 4294967296));
  };
  const str = (s: string) => {
    const b = new TextEncoder().encode(s);
    u64(b.length);
    parts.push(...b);
  };
  u32(0x46554747);
  u32(3);
  u64(tensors.length);
  u64(kvs.length);
  for (const [key, type, value] of kvs) {
    str(key);
    if (type === 'string') {
      u32(8);
      str(String(value));
    } else if (type === 'u32') {
      u32(4);
      u32(Number(value));
    } else {
      u32(6);
      const f = new Uint8Array(new Float32Array([Number(value)]).buffer);
      parts.push(...f);
    }
  }
  let offset = 0;
  const payloads: Uint8Array[] = [];
  for (const t of tensors) {
    str(t.name);
    u32(t.ne.length);
    for (const d of t.ne) u64(d);
    u32(t.type);
    u64(offset);
    const n = ggufTensorBytes(t.type, t.ne);
    const data = t.data ?? Uint8Array.from({ length: n }, (_, i) => (i * 131 + 7) & 255);
    payloads.push(data);
    offset += Math.ceil(n / alignment) * alignment;
  }
  const headerEnd = Math.ceil(parts.length / alignment) * alignment;
  const out = new Uint8Array(headerEnd + offset);
  out.set(parts);
  let at = headerEnd;
  for (const p of payloads) {
    out.set(p, at);
    at += Math.ceil(p.length / alignment) * alignment;
  }
  return out;
}
