import { DecodeError } from '../errors.ts';

/**
 * A small, safe unpickler (protocols 2–5, the opcodes torch.save / torch.jit.save emit). It never calls
 * anything: globals become `PyGlobal` markers, REDUCE / NEWOBJ / BUILD become `PyObject` records the caller
 * interprets (torch._utils._rebuild_tensor_v2, OrderedDict, TorchScript module objects).
 */
export interface PyGlobal {
  kind: 'global';
  module: string;
  name: string;
}

export interface PyObject {
  kind: 'object';
  /** `module.name` of the class or callable. */
  cls: string;
  args: PyValue[];
  /** What BUILD set: usually a dict of attributes. */
  state: PyValue;
  /** Items appended / set on the object itself (list- or dict-like reduce results). */
  items: PyValue[];
  dict: Map<PyKey, PyValue>;
}

export interface PyPersistent {
  kind: 'persistent';
  id: PyValue;
}

export type PyKey = string | number | boolean | null;
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | Map<PyKey, PyValue>
  | PyGlobal
  | PyObject
  | PyPersistent;

/** Tuples are arrays tagged so they can be told from lists. */
export type PyTuple = PyValue[] & { tuple: true };

const MAX_DEPTH_STACK = 1_000_000;
const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

const MARK = Symbol('mark');
type Slot = PyValue | typeof MARK;

function tuple(items: PyValue[]): PyTuple {
  const t = items as PyTuple;
  t.tuple = true;
  return t;
}

export function isTuple(v: PyValue): v is PyTuple {
  return Array.isArray(v) && (v as PyTuple).tuple === true;
}

export function unpickle(bytes: Uint8Array, file: string, what: string): PyValue {
  return unpickleAt(bytes, 0, file, what).value;
}

/** Unpickles the pickle starting at `start`; `end` is the byte after its STOP (legacy torch files hold several in a row). */
export function unpickleAt(
  bytes: Uint8Array,
  start: number,
  file: string,
  what: string,
): { value: PyValue; end: number } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: Slot[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let p = start;
  const fail = (msg: string): never => {
    throw new DecodeError(`${what}: ${msg} at byte ${p}`, file, what);
  };
  const need = (n: number) => {
    if (p + n > bytes.length)
      throw new DecodeError(`${what}: unexpected end of pickle data at byte ${p}`, file, what, { truncated: true });
  };
  const u8 = () => (need(1), bytes[p++]);
  const u16 = () => (need(2), (p += 2), dv.getUint16(p - 2, true));
  const u32 = () => (need(4), (p += 4), dv.getUint32(p - 4, true));
  const take = (n: number) => {
    need(n);
    p += n;
    return bytes.subarray(p - n, p);
  };
  const line = () => {
    const start = p;
    while (p < bytes.length && bytes[p] !== 10) p++;
    if (p >= bytes.length) fail('unterminated text line');
    return latin1.decode(bytes.subarray(start, p++));
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) return fail('stack underflow');
    return v;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) return fail('stack underflow');
    return v;
  };
  const popMark = (): PyValue[] => {
    const m = marks.pop();
    if (m === undefined) return fail('no mark on the stack');
    const items = stack.splice(m) as Slot[];
    items.shift();
    return items as PyValue[];
  };
  const push = (v: PyValue) => {
    if (stack.length > MAX_DEPTH_STACK) fail('stack too deep');
    stack.push(v);
  };
  const makeObject = (cls: PyValue, args: PyValue[]): PyObject => ({
    kind: 'object',
    cls: cls && typeof cls === 'object' && 'kind' in cls && cls.kind === 'global' ? `${cls.module}.${cls.name}` : '?',
    args,
    state: null,
    items: [],
    dict: new Map(),
  });
  const setItem = (target: PyValue, key: PyValue, value: PyValue) => {
    const k = toKey(key);
    if (target instanceof Map) target.set(k, value);
    else if (target && typeof target === 'object' && 'kind' in target && target.kind === 'object')
      target.dict.set(k, value);
    else fail('SETITEM on something that is not a dict');
  };
  const append = (target: PyValue, items: PyValue[]) => {
    if (Array.isArray(target)) {
      for (const x of items) target.push(x);
    } else if (target && typeof target === 'object' && 'kind' in target && target.kind === 'object')
      target.items.push(...items);
    else fail('APPEND on something that is not a list');
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80:
        u8();
        break; // PROTO
      case 0x95:
        take(8);
        break; // FRAME
      case 0x2e: {
        // STOP
        return { value: pop(), end: p };
      }
      case 0x28:
        marks.push(stack.length);
        stack.push(MARK);
        break; // MARK
      case 0x30:
        pop();
        break; // POP
      case 0x31:
        popMark();
        break; // POP_MARK
      case 0x32:
        push(top());
        break; // DUP
      case 0x4e:
        push(null);
        break; // NONE
      case 0x88:
        push(true);
        break; // NEWTRUE
      case 0x89:
        push(false);
        break; // NEWFALSE
      case 0x4a:
        need(4);
        push(dv.getInt32(p, true));
        p += 4;
        break; // BININT
      case 0x4b:
        push(u8());
        break; // BININT1
      case 0x4d:
        push(u16());
        break; // BININT2
      case 0x8a:
        push(long(take(u8())));
        break; // LONG1
      case 0x8b:
        push(long(take(u32())));
        break; // LONG4
      case 0x49: {
        // INT (text)
        const s = line().trim();
        push(s === '01' ? true : s === '00' ? false : Number(s));
        break;
      }
      case 0x4c:
        push(Number(line().trim().replace(/L$/, '')));
        break; // LONG (text)
      case 0x47:
        need(8);
        push(dv.getFloat64(p, false));
        p += 8;
        break; // BINFLOAT (big-endian)
      case 0x46:
        push(Number(line()));
        break; // FLOAT (text)
      case 0x58:
        push(utf8.decode(take(u32())));
        break; // BINUNICODE
      case 0x8c:
        push(utf8.decode(take(u8())));
        break; // SHORT_BINUNICODE
      case 0x8d: {
        // BINUNICODE8
        const lo = u32();
        const hi = u32();
        push(utf8.decode(take(hi * 4294967296 + lo)));
        break;
      }
      case 0x54:
        push(latin1.decode(take(u32())));
        break; // BINSTRING
      case 0x55:
        push(latin1.decode(take(u8())));
        break; // SHORT_BINSTRING
      case 0x43:
        push(take(u8()).slice());
        break; // SHORT_BINBYTES
      case 0x42:
        push(take(u32()).slice());
        break; // BINBYTES
      case 0x56:
        push(line());
        break; // UNICODE (raw-unicode-escape, ASCII in practice)
      case 0x53:
        push(line().replace(/^'(.*)'$|^"(.*)"$/, '$1$2'));
        break; // STRING
      case 0x29:
        push(tuple([]));
        break; // EMPTY_TUPLE
      case 0x74:
        push(tuple(popMark()));
        break; // TUPLE
      case 0x85:
        push(tuple([pop()]));
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        const a = pop();
        push(tuple([a, b]));
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        push(tuple([a, b, c]));
        break;
      } // TUPLE3
      case 0x5d:
        push([]);
        break; // EMPTY_LIST
      case 0x6c:
        push(popMark());
        break; // LIST
      case 0x61: {
        const v = pop();
        append(top(), [v]);
        break;
      } // APPEND
      case 0x65: {
        const items = popMark();
        append(top(), items);
        break;
      } // APPENDS
      case 0x7d:
        push(new Map());
        break; // EMPTY_DICT
      case 0x64: {
        // DICT
        const items = popMark();
        const m = new Map<PyKey, PyValue>();
        for (let i = 0; i + 1 < items.length; i += 2) m.set(toKey(items[i]), items[i + 1]);
        push(m);
        break;
      }
      case 0x73: {
        const v = pop();
        const k = pop();
        setItem(top(), k, v);
        break;
      } // SETITEM
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const target = top();
        for (let i = 0; i + 1 < items.length; i += 2) setItem(target, items[i], items[i + 1]);
        break;
      }
      case 0x8f:
        push([]);
        break; // EMPTY_SET
      case 0x90: {
        const items = popMark();
        append(top(), items);
        break;
      } // ADDITEMS
      case 0x91:
        push(tuple(popMark()));
        break; // FROZENSET
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        push({ kind: 'global', module, name });
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        push({ kind: 'global', module: String(module), name: String(name) });
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        push(makeObject(fn, Array.isArray(args) ? args : [args]));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        push(makeObject(cls, Array.isArray(args) ? args : [args]));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        pop();
        const args = pop();
        const cls = pop();
        push(makeObject(cls, Array.isArray(args) ? args : [args]));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (obj && typeof obj === 'object' && 'kind' in obj && obj.kind === 'object') obj.state = state;
        break;
      }
      case 0x51:
        push({ kind: 'persistent', id: pop() });
        break; // BINPERSID
      case 0x50:
        push({ kind: 'persistent', id: line() });
        break; // PERSID
      case 0x71:
        memo.set(u8(), top());
        break; // BINPUT
      case 0x72:
        memo.set(u32(), top());
        break; // LONG_BINPUT
      case 0x70:
        memo.set(Number(line()), top());
        break; // PUT
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      case 0x68:
      case 0x6a:
      case 0x67: {
        // BINGET, LONG_BINGET, GET
        const k = op === 0x68 ? u8() : op === 0x6a ? u32() : Number(line());
        if (!memo.has(k)) fail(`memo ${k} was never stored`);
        push(memo.get(k)!);
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16)}`);
    }
  }
}

function toKey(v: PyValue): PyKey {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  return String(v);
}

/** Little-endian two's-complement integer of any length, as a number when safe. */
function long(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}
