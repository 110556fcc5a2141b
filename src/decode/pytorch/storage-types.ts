import type { PyObject, PyValue } from './pickle.ts';

/**
 * Storage types as torch pickles name them — storage classes (`torch.FloatStorage`) or, for dtypes without one,
 * the dtype itself (`torch.uint16`) — with the IR dtype (ONNX numbering, 0 when the IR has none), bytes per
 * element and the dtype name shown to users. Shared by torch.save checkpoints and TorchScript archives.
 */
const STORAGE: Readonly<Record<string, readonly [dtype: number, bytes: number, name: string]>> = {
  FloatStorage: [1, 4, 'float32'],
  DoubleStorage: [11, 8, 'float64'],
  HalfStorage: [10, 2, 'float16'],
  BFloat16Storage: [16, 2, 'bfloat16'],
  LongStorage: [7, 8, 'int64'],
  IntStorage: [6, 4, 'int32'],
  ShortStorage: [5, 2, 'int16'],
  CharStorage: [3, 1, 'int8'],
  ByteStorage: [2, 1, 'uint8'],
  BoolStorage: [9, 1, 'bool'],
  ComplexFloatStorage: [14, 8, 'complex64'],
  ComplexDoubleStorage: [15, 16, 'complex128'],
  ComplexHalfStorage: [0, 4, 'complex32'],
  QInt8Storage: [3, 1, 'qint8'],
  QUInt8Storage: [2, 1, 'quint8'],
  QInt32Storage: [6, 4, 'qint32'],
  QUInt4x2Storage: [0, 1, 'quint4x2'],
  QUInt2x4Storage: [0, 1, 'quint2x4'],
  float32: [1, 4, 'float32'],
  float64: [11, 8, 'float64'],
  float16: [10, 2, 'float16'],
  bfloat16: [16, 2, 'bfloat16'],
  int64: [7, 8, 'int64'],
  int32: [6, 4, 'int32'],
  int16: [5, 2, 'int16'],
  int8: [3, 1, 'int8'],
  uint8: [2, 1, 'uint8'],
  bool: [9, 1, 'bool'],
  uint16: [4, 2, 'uint16'],
  uint32: [12, 4, 'uint32'],
  uint64: [13, 8, 'uint64'],
  complex64: [14, 8, 'complex64'],
  complex128: [15, 16, 'complex128'],
  complex32: [0, 4, 'complex32'],
  float8_e4m3fn: [17, 1, 'float8_e4m3fn'],
  float8_e4m3fnuz: [18, 1, 'float8_e4m3fnuz'],
  float8_e5m2: [19, 1, 'float8_e5m2'],
  float8_e5m2fnuz: [20, 1, 'float8_e5m2fnuz'],
};

export interface StorageType {
  /** IR dtype, 0 when the IR has no element type for it. */
  dtype: number;
  /** Bytes per element, 0 when the type is unknown. */
  elementBytes: number;
  name: string;
}

/** The storage type a pickled name denotes; unknown names keep their name with size 0. */
export function storageType(typeName: string): StorageType {
  const known = Object.hasOwn(STORAGE, typeName) ? STORAGE[typeName] : undefined;
  return known
    ? { dtype: known[0], elementBytes: known[1], name: known[2] }
    : { dtype: 0, elementBytes: 0, name: typeName };
}

/**
 * A storage's persistent id (`('storage', type, key, location, numel, …)`, torch/serialization.py): its key and
 * type, or null for any other persistent id.
 */
export function storageOfPersistentId(id: PyValue): { key: string; type: StorageType } | null {
  if (!Array.isArray(id) || id.length < 3) return null;
  const type = id[1];
  const typeName =
    type && typeof type === 'object' && 'kind' in type && type.kind === 'global' ? type.name : String(type);
  return { key: String(id[2]), type: storageType(typeName) };
}

/** What `torch._utils._rebuild_tensor_v2(storage, offset, size, …)` rebuilds, as pickled (not yet validated). */
export interface RebuiltTensor {
  storageKey: string;
  type: StorageType;
  /** Elements from the storage start. */
  storageOffset: number;
  /** Dimensions as pickled: may be negative or fractional in a hostile file. */
  shape: number[];
}

const REBUILD = new Set(['torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor']);
const PARAMETER = new Set(['torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state']);

function isObject(v: PyValue): v is PyObject {
  return !!v && typeof v === 'object' && 'kind' in v && v.kind === 'object';
}

/** The tensor a pickled value rebuilds (parameters unwrapped), or null when it is not one. */
export function rebuiltTensor(v: PyValue): RebuiltTensor | null {
  if (!isObject(v)) return null;
  if (PARAMETER.has(v.cls)) return rebuiltTensor(v.args[0]);
  if (!REBUILD.has(v.cls)) return null;
  const [storage, offset, size] = v.args;
  if (!storage || typeof storage !== 'object' || !('kind' in storage) || storage.kind !== 'persistent') return null;
  const ref = storageOfPersistentId(storage.id);
  if (!ref) return null;
  const shape = Array.isArray(size) ? size.map((d) => (typeof d === 'number' ? d : Number(d))) : [];
  const storageOffset = typeof offset === 'number' ? offset : typeof offset === 'bigint' ? Number(offset) : 0;
  return { storageKey: ref.key, type: ref.type, storageOffset, shape };
}
