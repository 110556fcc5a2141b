import { isTuple, type PyObject, type PyValue } from '../pytorch/pickle.ts';
import { rebuiltTensor, storageOfPersistentId } from '../pytorch/storage-types.ts';

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
  const t = rebuiltTensor(v);
  if (!t) return null;
  const { type } = t;
  return {
    name,
    storageKey: t.storageKey,
    dtype: type.dtype,
    dtypeName: type.name,
    elementBytes: type.elementBytes,
    storageOffset: t.storageOffset,
    shape: t.shape,
  };
}

/** Entries of a dict-like pickled value: a dict, or an OrderedDict rebuilt by REDUCE (its items set on the object). */
function entriesOf(v: PyValue): [string, PyValue][] | null {
  if (v instanceof Map) return [...v].map(([k, x]) => [String(k), x]);
  if (isObject(v) && (v.cls === 'collections.OrderedDict' || v.dict.size))
    return [...v.dict].map(([k, x]) => [String(k), x]);
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
      if (depth === 1 && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean'))
        out.scalars.set(path, String(v));
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

/**
 * Element size of every storage a pickle names, from the persistent ids themselves: every storage, including those
 * the tensor walk does not reach (tuples, deep nesting, quantized tensors), so legacy files can step over each one.
 */
export function storageElementBytes(root: PyValue): Map<string, number> {
  const out = new Map<string, number>();
  const seen = new Set<object>();
  const stack: PyValue[] = [root];
  while (stack.length) {
    const v = stack.pop()!;
    if (!v || typeof v !== 'object' || v instanceof Uint8Array || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v instanceof Map) for (const x of v.values()) stack.push(x);
    else if (v.kind === 'persistent') {
      const ref = storageOfPersistentId(v.id);
      if (ref && ref.type.elementBytes > 0) out.set(ref.key, ref.type.elementBytes);
    } else if (v.kind === 'object') {
      stack.push(v.state, ...v.args, ...v.items);
      for (const x of v.dict.values()) stack.push(x);
    }
  }
  return out;
}
