import type { ByteSource } from './io/byte-source.ts';
import { nextSpan } from './io/read-spans.ts';
import { decodeNumbers } from './tensor-preview.ts';
import { DTYPE_BITS, ValueFlag, valueElementCount, type GraphIR } from '../graph/ir.ts';

/** int8 … int64, uint32/64, bool (ONNX TensorProto codes). */
const INTEGER_DTYPES = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13]);
/** One merged read never exceeds this. */
const MAX_SPAN = 4 << 20;

/** Floating-point constants are shape data only when tiny (Resize scales, scalars in shape arithmetic). */
const MAX_FLOAT_ELEMENTS = 16;

/**
 * Contents of the small constant tensors shape inference can use: integer tensors (shape vectors, axes, pads,
 * indices) whose payload is at most `maxBytes` bytes, and floating-point ones of at most 16 elements (Resize
 * scales, scalars), from initializers and Constant-node outputs stored in the model file itself. Weights are never
 * read. Nearby payloads are read together, so thousands of Constant nodes cost a few range reads.
 */
export async function loadSmallConstants(
  source: ByteSource,
  ir: GraphIR,
  maxBytes = 1024,
): Promise<Map<number, Float64Array>> {
  const out = new Map<number, Float64Array>();
  const wanted: number[] = [];
  for (let v = 0; v < ir.valueCount; v++) {
    const flags = ir.valueFlags[v];
    if (!(flags & (ValueFlag.Initializer | ValueFlag.ConstantNode)) || flags & ValueFlag.External) continue;
    const elements = valueElementCount(ir, v);
    if (elements === 0) {
      out.set(v, new Float64Array(0));
      continue;
    }
    const len = ir.valueDataLength[v];
    if (ir.valueDataOffset[v] < 0 || len <= 0 || len > maxBytes) continue;
    // Numeric types only; sub-byte and string payloads are not shape data.
    const dtype = ir.valueDtype[v];
    if ((DTYPE_BITS[dtype] ?? 0) < 8) continue;
    if (!INTEGER_DTYPES.has(dtype) && !(elements >= 0 && elements <= MAX_FLOAT_ELEMENTS)) continue;
    wanted.push(v);
  }
  wanted.sort((a, b) => ir.valueDataOffset[a] - ir.valueDataOffset[b]);
  let i = 0;
  while (i < wanted.length) {
    const spanStart = ir.valueDataOffset[wanted[i]];
    const { end: spanEnd, next: j } = nextSpan(wanted, i, ir.valueDataOffset, ir.valueDataLength, MAX_SPAN);
    const bytes = await source.read(spanStart, spanEnd - spanStart);
    for (let k = i; k < j; k++) {
      const v = wanted[k];
      const from = ir.valueDataOffset[v] - spanStart;
      const payload = bytes.subarray(from, from + ir.valueDataLength[v]);
      const numbers = decodeNumbers(payload, ir.valueDtype[v], ir.valueDataEncoding[v]);
      const elements = valueElementCount(ir, v);
      // A payload that does not hold exactly the declared elements is not trusted (hostile or unusual file).
      if (numbers && (elements < 0 || numbers.length === elements)) out.set(v, numbers);
    }
    i = j;
  }
  return out;
}
