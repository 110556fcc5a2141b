import { finish, mix } from '../graph/hash.ts';

/**
 * A 2×32-bit streaming hash for constant payloads: payload hashes decide "bytes differ", so they use two
 * independent lanes (structural signatures use the 32-bit helpers of graph/hash.ts).
 */

/** Streaming hash of a byte sequence fed in chunks of any size; `digest()` is the same however it was split. */
export class ByteHasher {
  private h1 = 0x9747b28c;
  private h2 = 0x2545f491;
  private length = 0;
  /** Bytes carried over from the last chunk, so words are always formed from 4 consecutive bytes. */
  private carry = 0;
  private carried = 0;

  update(bytes: Uint8Array): void {
    let i = 0;
    const n = bytes.length;
    this.length += n;
    while (this.carried > 0 && this.carried < 4 && i < n) {
      this.carry |= bytes[i++] << (8 * this.carried++);
      if (this.carried === 4) {
        this.word(this.carry);
        this.carry = 0;
        this.carried = 0;
      }
    }
    const words = (n - i) >> 2;
    if (words > 0) {
      const view = new DataView(bytes.buffer, bytes.byteOffset + i, words * 4);
      for (let w = 0; w < words; w++) this.word(view.getUint32(w * 4, true));
      i += words * 4;
    }
    while (i < n) this.carry |= bytes[i++] << (8 * this.carried++);
  }

  private word(k: number): void {
    this.h1 = mix(this.h1, k);
    this.h2 = mix(this.h2, k ^ 0x5bd1e995);
  }

  /** Two 32-bit lanes as one string key (hex), plus the length, so different-length payloads never collide. */
  digest(): string {
    let h1 = mix(this.h1, this.carry);
    let h2 = mix(this.h2, this.carry ^ this.carried);
    h1 = finish(mix(h1, this.length));
    h2 = finish(mix(h2, this.length / 4294967296));
    return `${h1.toString(16)}:${h2.toString(16)}:${this.length}`;
  }
}
