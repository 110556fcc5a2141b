import { halfToNumber as half } from './half.ts';
import { ggmlType } from './types.ts';

/**
 * Dequantizes whole blocks of the common llama.cpp quantizations (ggml-quants.c reference layouts) for the tensor
 * preview. A trailing partial block is dropped. Null for types without a decoder here (IQ*, TQ*, Q2/Q3/Q5_K…).
 */
export function dequantizeGgml(bytes: Uint8Array, typeId: number): Float64Array | null {
  const type = ggmlType(typeId);
  const decode = DECODERS[typeId];
  if (!type || !decode) return null;
  const blocks = Math.floor(bytes.length / type.typeSize);
  const out = new Float64Array(blocks * type.blockSize);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0; b < blocks; b++) decode(bytes, dv, b * type.typeSize, out, b * type.blockSize);
  return out;
}

type BlockDecoder = (q: Uint8Array, dv: DataView, at: number, out: Float64Array, o: number) => void;

const f16 = (dv: DataView, at: number) => half(dv.getUint16(at, true));

const DECODERS: Readonly<Record<number, BlockDecoder>> = {
  // Q4_0: d, 16 bytes of nibbles; low nibbles are elements 0..15, high ones 16..31; value (n - 8)·d.
  2: (q, dv, at, out, o) => {
    const d = f16(dv, at);
    for (let j = 0; j < 16; j++) {
      const b = q[at + 2 + j];
      out[o + j] = ((b & 15) - 8) * d;
      out[o + j + 16] = ((b >> 4) - 8) * d;
    }
  },
  // Q4_1: d, m, nibbles; value n·d + m.
  3: (q, dv, at, out, o) => {
    const d = f16(dv, at);
    const m = f16(dv, at + 2);
    for (let j = 0; j < 16; j++) {
      const b = q[at + 4 + j];
      out[o + j] = (b & 15) * d + m;
      out[o + j + 16] = (b >> 4) * d + m;
    }
  },
  // Q5_0: d, 32 high bits, nibbles; value (n | h << 4) - 16, times d.
  6: (q, dv, at, out, o) => {
    const d = f16(dv, at);
    const qh = dv.getUint32(at + 2, true);
    for (let j = 0; j < 16; j++) {
      const b = q[at + 6 + j];
      out[o + j] = (((b & 15) | (((qh >>> j) << 4) & 16)) - 16) * d;
      out[o + j + 16] = (((b >> 4) | ((qh >>> (j + 12)) & 16)) - 16) * d;
    }
  },
  // Q5_1: d, m, 32 high bits, nibbles; value (n | h << 4)·d + m.
  7: (q, dv, at, out, o) => {
    const d = f16(dv, at);
    const m = f16(dv, at + 2);
    const qh = dv.getUint32(at + 4, true);
    for (let j = 0; j < 16; j++) {
      const b = q[at + 8 + j];
      out[o + j] = ((b & 15) | (((qh >>> j) << 4) & 16)) * d + m;
      out[o + j + 16] = ((b >> 4) | ((qh >>> (j + 12)) & 16)) * d + m;
    }
  },
  // Q8_0: d, 32 signed bytes.
  8: (_q, dv, at, out, o) => {
    const d = f16(dv, at);
    for (let j = 0; j < 32; j++) out[o + j] = dv.getInt8(at + 2 + j) * d;
  },
  // Q4_K: super-block d, dmin, 12 bytes of packed 6-bit scales and mins, 128 bytes of nibbles in 4 runs of 64.
  12: (q, dv, at, out, o) => {
    const d = f16(dv, at);
    const dmin = f16(dv, at + 2);
    const scales = at + 4;
    let qs = at + 16;
    for (let j = 0, is = 0; j < 256; j += 64, is += 2) {
      const [sc1, m1] = scaleMinK4(q, scales, is);
      const [sc2, m2] = scaleMinK4(q, scales, is + 1);
      for (let l = 0; l < 32; l++) out[o + j + l] = d * sc1 * (q[qs + l] & 15) - dmin * m1;
      for (let l = 0; l < 32; l++) out[o + j + 32 + l] = d * sc2 * (q[qs + l] >> 4) - dmin * m2;
      qs += 32;
    }
  },
  // Q6_K: 128 bytes low nibbles, 64 bytes of 2-bit highs, 16 signed scales, d.
  14: (q, dv, at, out, o) => {
    const d = f16(dv, at + 208);
    let ql = at;
    let qh = at + 128;
    let sc = at + 192;
    for (let n = 0; n < 256; n += 128) {
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const h = q[qh + l];
        const q1 = ((q[ql + l] & 15) | ((h & 3) << 4)) - 32;
        const q2 = ((q[ql + l + 32] & 15) | (((h >> 2) & 3) << 4)) - 32;
        const q3 = ((q[ql + l] >> 4) | (((h >> 4) & 3) << 4)) - 32;
        const q4 = ((q[ql + l + 32] >> 4) | (((h >> 6) & 3) << 4)) - 32;
        out[o + n + l] = d * dv.getInt8(sc + is) * q1;
        out[o + n + l + 32] = d * dv.getInt8(sc + is + 2) * q2;
        out[o + n + l + 64] = d * dv.getInt8(sc + is + 4) * q3;
        out[o + n + l + 96] = d * dv.getInt8(sc + is + 6) * q4;
      }
      ql += 64;
      qh += 32;
      sc += 8;
    }
  },
};

/** The j-th 6-bit scale and min of a Q4_K/Q5_K super-block (ggml's get_scale_min_k4). */
function scaleMinK4(q: Uint8Array, s: number, j: number): [number, number] {
  if (j < 4) return [q[s + j] & 63, q[s + j + 4] & 63];
  return [(q[s + j + 4] & 15) | ((q[s + j - 4] >> 6) << 4), (q[s + j + 4] >> 4) | ((q[s + j] >> 6) << 4)];
}
