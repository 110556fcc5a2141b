/**
 * ggml tensor types as GGUF stores them (ggml.h `enum ggml_type`): block size in elements and bytes per block.
 * Removed ids (4, 5, 31–33, 36–38) are absent, so a file using them is reported as an unknown type.
 */
export interface GgmlType {
  readonly name: string;
  readonly blockSize: number;
  readonly typeSize: number;
}

const TABLE: Readonly<Record<number, GgmlType>> = {
  0: { name: 'F32', blockSize: 1, typeSize: 4 },
  1: { name: 'F16', blockSize: 1, typeSize: 2 },
  2: { name: 'Q4_0', blockSize: 32, typeSize: 18 },
  3: { name: 'Q4_1', blockSize: 32, typeSize: 20 },
  6: { name: 'Q5_0', blockSize: 32, typeSize: 22 },
  7: { name: 'Q5_1', blockSize: 32, typeSize: 24 },
  8: { name: 'Q8_0', blockSize: 32, typeSize: 34 },
  9: { name: 'Q8_1', blockSize: 32, typeSize: 36 },
  10: { name: 'Q2_K', blockSize: 256, typeSize: 84 },
  11: { name: 'Q3_K', blockSize: 256, typeSize: 110 },
  12: { name: 'Q4_K', blockSize: 256, typeSize: 144 },
  13: { name: 'Q5_K', blockSize: 256, typeSize: 176 },
  14: { name: 'Q6_K', blockSize: 256, typeSize: 210 },
  15: { name: 'Q8_K', blockSize: 256, typeSize: 292 },
  16: { name: 'IQ2_XXS', blockSize: 256, typeSize: 66 },
  17: { name: 'IQ2_XS', blockSize: 256, typeSize: 74 },
  18: { name: 'IQ3_XXS', blockSize: 256, typeSize: 98 },
  19: { name: 'IQ1_S', blockSize: 256, typeSize: 50 },
  20: { name: 'IQ4_NL', blockSize: 32, typeSize: 18 },
  21: { name: 'IQ3_S', blockSize: 256, typeSize: 110 },
  22: { name: 'IQ2_S', blockSize: 256, typeSize: 82 },
  23: { name: 'IQ4_XS', blockSize: 256, typeSize: 136 },
  24: { name: 'I8', blockSize: 1, typeSize: 1 },
  25: { name: 'I16', blockSize: 1, typeSize: 2 },
  26: { name: 'I32', blockSize: 1, typeSize: 4 },
  27: { name: 'I64', blockSize: 1, typeSize: 8 },
  28: { name: 'F64', blockSize: 1, typeSize: 8 },
  29: { name: 'IQ1_M', blockSize: 256, typeSize: 56 },
  30: { name: 'BF16', blockSize: 1, typeSize: 2 },
  34: { name: 'TQ1_0', blockSize: 256, typeSize: 54 },
  35: { name: 'TQ2_0', blockSize: 256, typeSize: 66 },
  39: { name: 'MXFP4', blockSize: 32, typeSize: 17 },
};

export function ggmlType(id: number): GgmlType | undefined {
  return TABLE[id];
}

/** IR dtype (ONNX numbering) of the plain ggml types; block-quantized types have none. */
export const GGML_PLAIN_DTYPE: Readonly<Record<number, number>> = {
  0: 1,
  1: 10,
  24: 3,
  25: 5,
  26: 6,
  27: 7,
  28: 11,
  30: 16,
};

/**
 * `valueDataEncoding` of a block-quantized ggml tensor: this base plus the ggml type id. The tensor preview
 * dequantizes the types `dequantizeGgml` knows; the stored type's name comes from `ggmlEncodingName`.
 */
export const GGML_ENCODING_BASE = 64;

export function ggmlEncodingName(encoding: number): string | null {
  if (encoding < GGML_ENCODING_BASE) return null;
  return ggmlType(encoding - GGML_ENCODING_BASE)?.name ?? null;
}

/** Bytes a tensor of `elements` takes in `type`, or -1 if the row is not a whole number of blocks. */
export function ggmlByteSize(type: GgmlType, rowLength: number, elements: number): number {
  if (rowLength % type.blockSize !== 0) return -1;
  return (elements / type.blockSize) * type.typeSize;
}
