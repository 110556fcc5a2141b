import { isTuple, type PyObject, type PyValue } from '../pytorch/pickle.ts';

/** Storage classes (torch.FloatStorage …, or the dtype names newer pickles use) → IR dtype and bytes per element. */
const STORAGE: Readonly<Record<string, [dtype: number, bytes: number, name: string]>> = {
  FloatStorage: [1, 4, 'float32'], DoubleStorage: [11, 8, 'float64'], HalfStorage: [10, 2, 'float16'], BFloat16Storage: [16, 2, 'bfloat16'],
  LongStorage: [7, 8, 'int64'], IntStorage: [6, 4, 'int32'], ShortStorage: [5, 2, 'int16'], CharStorage: [3, 1, 'int8'],
  ByteStorage: [2, 1, 'uint8'], BoolStorage: [9, 1, 'bool'],
  float32: [1, 4, 'float32'], float64: [11, 8, 'float64'], float16: [10, 2, 'float16'], bfloat16: [16, 2, 'bfloat16'],
  int64: [7, 8, 'int64'], int32: [6, 4, 'int32'], int16: [5, 2, 'int16'], int8: [3, 1, 'int8'], uint8: [2, 1, 'uint8'], bool: [9, 1, 'bool'],
  float8_e4m3fn: [17, 1, 'float8_e4m3fn'], float8_e5m2: [19, 1, 'float8_e5m2'],
};

/** A pickled tensor: which storage it views, where, and its logical shape. */
export interface PickledTensor {
  name: string;
  storageKey: string;
  dtype: number;
  dtypeName: string;
  elementBytes: number;
  /** In elements from the storage start. */
  storageOffset: number;
  shape: number[];
}

export interface PickleWalk {
  tensors: PickledTensor[];
  /** Module path → class name, for `torch.save(model)` pickles. */
  moduleClasses: Map<string, string>;
  /** Top-level scalars of a checkpoint dict (epoch, loss, step…). */
  scalars: Map<string, string>;
}

const MAX_DEPTH = 64;
const MAX_TENSORS = 10_000_000;

function isObject(v: PyValue): v is PyObject {
  return !!v && typeof v === 'object' && 'kind' in v && v.kind === 'object';
}

function tensorOf(v: PyValue, name: string): PickledTensor | null {
  if (!isObject(v)) return null;
  if (v.cls === 'torch._utils._rebuild_parameter' || v.cls === 'torch._utils._rebuild_parameter_with_state') return tensorOf(v.args[0], name);
  if (v.cls !== 'torch._utils._rebuild_tensor_v2' && v.cls !== 'torch._utils._rebuild_tensor') return null;
  const [storage, offset, size] = v.args;
  if (!storage || typeof storage !== 'object' || !('kind' in storage) || storage.kind !== 'persistent') return null;
  const id = storage.id;
  if (!Array.isArray(id) || id.length < 3) return null;
  const type = id[1];
  const typeName = type && typeof type === 'object' && 'kind' in type && type.kind === 'global' ? type.name : String(type);
  const [dtype, elementBytes, dtypeName] = STORAGE[typeName] ?? [0, 0, typeName];
  const shape = Array.isArray(size) ? size.map((d) => (typeof d === 'number' ? d : Number(d))) : [];
  return { name, storageKey: String(id[2]), dtype, dtypeName, elementBytes, storageOffset: typeof offset === 'number' ? offset : 0, shape };
}

/** Entries of a dict-like pickled value: a dict, or an OrderedDict rebuilt by REDUCE (its items set on the object). */
function entriesOf(v: PyValue): [string, PyValue][] | null {
  if (v instanceof Map) return [...v].map(([k, x]) => [String(k), x]);
  if (isObject(v) && (v.cls === 'collections.OrderedDict' || v.dict.size)) return [...v.dict].map(([k, x]) => [String(k), x]);
  return null;
}

/** `torch.nn` module objects carry `_parameters`, `_buffers` and `_modules` in their BUILD state. */
function moduleState(v: PyValue): Map<string, PyValue> | null {
  if (!isObject(v) || !(v.state instanceof Map)) return null;
  const s = v.state as Map<string, PyValue>;
  return s.has('_modules') && s.has('_parameters') ? s : null;
}

/**
 * Finds every tensor of a torch.save pickle with the name a state_dict would give it: dict keys and list indices
 * joined by dots, module objects through `_parameters`, `_buffers` and `_modules` (recording their class names).
 * Nothing is called: the pickle's classes are only names.
 */
export function walkPickle(root: PyValue): PickleWalk {
  const out: PickleWalk = { tensors: [], moduleClasses: new Map(), scalars: new Map() };
  const seen = new Set<object>();
  const visit = (v: PyValue, path: string, depth: number) => {
    if (depth > MAX_DEPTH || out.tensors.length >= MAX_TENSORS) return;
    const tensor = tensorOf(v, path);
    if (tensor) {
      out.tensors.push(tensor);
      return;
    }
    if (!v || typeof v !== 'object' || v instanceof Uint8Array || seen.has(v)) {
      if (depth === 1 && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')) out.scalars.set(path, String(v));
      return;
    }
    seen.add(v);
    const join = (key: string) => (path ? `${path}.${key}` : key);
    const state = moduleState(v);
    if (state && isObject(v)) {
      out.moduleClasses.set(path, v.cls.slice(v.cls.lastIndexOf('.') + 1));
      for (const field of ['_parameters', '_buffers', '_modules']) {
        for (const [k, x] of entriesOf(state.get(field) ?? null) ?? []) visit(x, join(k), depth + 1);
      }
      return;
    }
    const entries = entriesOf(v);
    if (entries) {
      for (const [k, x] of entries) visit(x, join(k), depth + 1);
      return;
    }
    if (Array.isArray(v) && !isTuple(v)) v.forEach((x, i) => visit(x, join(String(i)), depth + 1));
  };
  visit(root, '', 0);
  return out;
}
