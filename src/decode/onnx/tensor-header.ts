import { DataEncoding } from '../../graph/ir.ts';
import { Tensor } from './schema.ts';

/**
 * A TensorProto's header as the streaming decoder collects it: name, type and shape, and where its payload is (in
 * this file, or in an external-data file), never the payload itself.
 */
export interface TensorAcc {
  name: number;
  dtype: number;
  dims: number[];
  dataOffset: number;
  dataLength: number;
  encoding: number;
  location: string;
  externalOffset: number;
  externalLength: number;
  segment: boolean;
}

/** An external-data offset or length: a byte count, or -1 if the file says something unusable (negative, 1e400). */
export function byteCount(value: string): number {
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : -1;
}

export function newTensor(): TensorAcc {
  return {
    name: 0,
    dtype: 0,
    dims: [],
    dataOffset: -1,
    dataLength: 0,
    encoding: 0,
    location: '',
    externalOffset: 0,
    externalLength: 0,
    segment: false,
  };
}

/** How a payload field stores its elements, or -1 for a field that holds no tensor payload. */
export function payloadEncoding(field: number): number {
  switch (field) {
    case Tensor.rawData:
      return DataEncoding.Raw;
    case Tensor.floatData:
      return DataEncoding.PackedFixed32;
    case Tensor.int32Data:
    case Tensor.int64Data:
    case Tensor.uint64Data:
      return DataEncoding.PackedVarint;
    case Tensor.doubleData:
      return DataEncoding.PackedFixed64;
    default:
      return -1;
  }
}
