import { GraphBuilder } from '../../graph/builder.ts';
import { DTYPE_BITS, GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';
import type { DecodeOptions } from '../decoder.ts';
import { ZipArchive, type ZipEntry } from '../zip/zip.ts';
import { isTuple, unpickle, type PyObject, type PyValue } from './pickle.ts';
import { rebuiltTensor } from './storage-types.ts';
import {
  parseScriptFile,
  type Expr,
  type ScriptClass,
  type ScriptDef,
  type ScriptModule,
  type Stmt,
} from './script.ts';
import { BINARY_OPS, NONE, type RV, UNKNOWN, fold, shortName, torchOp, truth } from './script-values.ts';

const MAX_CODE_BYTES = 64 << 20;
const MAX_PICKLE_BYTES = 256 << 20;
/** Inlined calls deeper than this are not a real model (a module cannot contain itself). */
const MAX_CALL_DEPTH = 64;
/** Statements executed in one decode: bounds hostile code (every statement runs once per call site). */
const MAX_STEPS = 5_000_000;

interface TensorRec {
  dtype: number;
  shape: number[];
  key: string;
  storageOffset: number;
}

/** What node details show for a node, kept beside the IR (the code lives compressed inside the archive). */
export interface TorchNodeInfo {
  code: string;
  module: string;
  cls: string;
}

export interface TorchScriptResult {
  ir: GraphIR;
  info: TorchNodeInfo[];
}

class Frame {
  readonly env = new Map<string, RV>();
  returned: RV | null = null;
  constructor(
    readonly path: string[],
    readonly cls: ScriptClass | null,
  ) {}
}

function asTensorRec(v: PyValue): TensorRec | null {
  const t = rebuiltTensor(v);
  return t && { dtype: t.type.dtype, shape: t.shape, key: t.storageKey, storageOffset: t.storageOffset };
}

/** Finds every tensor in a pickled value (bounded walk; shared objects visited once). */
function collectTensors(root: PyValue, out: Set<PyObject>): void {
  const seen = new Set<object>();
  const stack: PyValue[] = [root];
  while (stack.length) {
    const v = stack.pop()!;
    if (!v || typeof v !== 'object' || v instanceof Uint8Array || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) stack.push(...v);
    else if (v instanceof Map) for (const x of v.values()) stack.push(x);
    else if ('kind' in v && v.kind === 'object') {
      if (asTensorRec(v)) out.add(v);
      else {
        stack.push(v.state, ...v.args, ...v.items);
        for (const x of v.dict.values()) stack.push(x);
      }
    }
  }
}

export async function decodeTorchScript(source: ByteSource, options: DecodeOptions = {}): Promise<TorchScriptResult> {
  const zip = await ZipArchive.open(source);
  const file = source.name;
  // Entries sit under one top folder (the archive name chosen at save time).
  const dataPkl = zip.entries.find((e) => /^[^/]*\/?data\.pkl$/.test(e.name) && e.name.split('/').length <= 2);
  if (!dataPkl) throw new DecodeError('not a PyTorch archive: no data.pkl', file, 'data.pkl');
  const prefix = dataPkl.name.slice(0, dataPkl.name.length - 'data.pkl'.length);
  const codeEntries = zip.entries.filter((e) => e.name.startsWith(`${prefix}code/`) && e.name.endsWith('.py'));
  if (!codeEntries.length) {
    throw new DecodeError(
      'this PyTorch file holds pickled weights (a state_dict or checkpoint from torch.save), not a TorchScript model: it has no code/ to build a graph from; save the model with torch.jit.save',
      file,
      'code/',
    );
  }
  options.checkCancelled?.();

  const module: ScriptModule = { classes: [], functions: new Map() };
  let codeBytes = 0;
  for (const e of codeEntries) {
    codeBytes += e.size;
    if (codeBytes > MAX_CODE_BYTES)
      throw new DecodeError(`TorchScript code is larger than ${MAX_CODE_BYTES} bytes`, file, e.name);
    const text = await zip.text(e, MAX_CODE_BYTES);
    const modulePath = e.name.slice(prefix.length + 'code/'.length, -'.py'.length).replace(/\//g, '.');
    parseScriptFile(text, modulePath, module);
    options.checkCancelled?.();
  }

  const root = unpickle(await zip.read(dataPkl, MAX_PICKLE_BYTES), file, `${dataPkl.name}`);
  const constantsEntry = zip.get(`${prefix}constants.pkl`);
  const constants = constantsEntry
    ? unpickle(await zip.read(constantsEntry, MAX_PICKLE_BYTES), file, constantsEntry.name)
    : null;

  // Where each storage's bytes are: stored entries only (PyTorch writes data/ uncompressed and aligned).
  const tensors = new Set<PyObject>();
  collectTensors(root, tensors);
  if (constants) collectTensors(constants, tensors);
  const storage = new Map<string, { entry: ZipEntry; offset: number }>();
  for (const t of tensors) {
    const rec = asTensorRec(t)!;
    if (storage.has(rec.key)) continue;
    const entry = zip.get(`${prefix}data/${rec.key}`);
    if (!entry) continue;
    storage.set(rec.key, { entry, offset: entry.method === 0 ? await zip.dataOffset(entry) : -1 });
  }
  options.onProgress?.(source.size, source.size);

  const version = zip.get(`${prefix}version`) ?? zip.get(`${prefix}.data/version`);
  const interp = new Interpreter(file, module, constants, storage);
  if (version && version.size < 64) interp.b.metadata.version = (await zip.text(version)).trim();
  interp.b.metadata.archive = prefix.replace(/\/$/, '');
  return interp.run(root);
}

class Interpreter {
  readonly b = new GraphBuilder('pytorch');
  private readonly classes = new Map<string, ScriptClass>();
  private readonly usedValueNames = new Set<string>();
  private readonly nodeNames = new Map<string, number>();
  private readonly tensorValues = new Map<PyObject, number>();
  private readonly info: TorchNodeInfo[] = [];
  private depth = 0;
  private steps = 0;
  private opaque = 0;

  constructor(
    private readonly file: string,
    private readonly module: ScriptModule,
    private readonly constants: PyValue,
    private readonly storage: Map<string, { entry: ZipEntry; offset: number }>,
  ) {
    for (const c of module.classes) this.classes.set(c.qname, c);
  }

  private fail(message: string, field: string): never {
    throw new DecodeError(message, this.file, field);
  }

  run(root: PyValue): TorchScriptResult {
    const { b } = this;
    if (!root || typeof root !== 'object' || !('kind' in root) || root.kind !== 'object')
      this.fail('data.pkl does not hold a module object', 'data.pkl');
    const cls = this.classes.get(root.cls) ?? null;
    if (!cls) this.fail(`no code for the model's class ${root.cls}`, 'code/');
    const forward = cls.methods.get('forward');
    if (!forward) this.fail(`class ${root.cls} has no forward method`, 'code/');
    b.beginGraph(shortName(root.cls), GraphKind.Main);
    b.metadata.model = shortName(root.cls);
    const self: RV = { t: 'module', obj: root, path: [], cls };
    const args = forward.params.slice(1).map((p) => {
      const v = this.newValue(p.name);
      b.addGraphInput(0, v);
      return { t: 'tensor', v } as RV;
    });
    const out = this.call(forward, self, args, [], [], cls);
    for (const v of this.flatten(out)) if (!(b.flags(v) & ValueFlag.GraphOutput)) b.addGraphOutput(0, v);
    // Every tensor of the module tree is in the file, used by the code or not (num_batches_tracked, unused heads).
    this.walkState(root, [], new Set());
    if (this.opaque) b.metadata.opaque_statements = String(this.opaque);
    return { ir: b.finish(), info: this.info };
  }

  // Calls -----------------------------------------------------------------------------------------------------------

  private call(
    def: ScriptDef,
    self: RV | null,
    args: RV[],
    kwargs: [string, RV][],
    path: string[],
    cls: ScriptClass | null,
  ): RV {
    if (++this.depth > MAX_CALL_DEPTH)
      this.fail(`calls nested deeper than ${MAX_CALL_DEPTH} levels (recursive code?)`, `code: ${def.name}`);
    try {
      const frame = new Frame(path, cls);
      const params = self ? def.params.slice(1) : def.params;
      if (self && def.params[0]) frame.env.set(def.params[0].name, self);
      params.forEach((p, i) => {
        const kw = kwargs.find(([k]) => k === p.name);
        frame.env.set(
          p.name,
          i < args.length ? args[i] : kw ? kw[1] : p.default ? this.eval(p.default, frame, p.name) : UNKNOWN,
        );
      });
      this.block(def.body, frame);
      return frame.returned ?? NONE;
    } finally {
      this.depth--;
    }
  }

  private block(stmts: Stmt[], f: Frame): void {
    for (const s of stmts) {
      if (f.returned) return;
      if (++this.steps > MAX_STEPS)
        this.fail(`more than ${MAX_STEPS} statements to run: code too large or looping`, 'code');
      switch (s.k) {
        case 'assign': {
          if (s.targets.length === 1) {
            f.env.set(s.targets[0], this.eval(s.value, f, s.targets[0], 1, s.text));
          } else {
            const v = this.eval(s.value, f, s.targets.join('_'), s.targets.length, s.text);
            const items = v.t === 'seq' ? v.items : null;
            s.targets.forEach((t, i) => f.env.set(t, items?.[i] ?? UNKNOWN));
          }
          break;
        }
        case 'expr':
          this.eval(s.value, f, '', 1, s.text);
          break;
        case 'return':
          f.returned = s.value ? this.eval(s.value, f, 'out', 1, s.text) : NONE;
          break;
        case 'pass':
          break;
        case 'if': {
          const c = this.eval(s.cond, f, 'cond', 1, s.text);
          const known = truth(c);
          if (known === true) this.block(s.then, f);
          else if (known === false) this.block(s.else, f);
          else this.opaqueNode('prim::If', s.text, f, c.t === 'tensor' ? [c.v] : []);
          break;
        }
        case 'loop':
          this.opaqueNode('prim::Loop', s.text, f, []);
          break;
        case 'raw':
          this.opaqueNode('python', s.text, f, []);
          break;
      }
    }
  }

  /**
   * A statement kept as one node (data-dependent if, loop, or code this reader does not follow): its inputs are the
   * tensors it mentions, its outputs the names it assigns, so the graph stays connected around it.
   */
  private opaqueNode(op: string, text: string, f: Frame, extra: number[]): void {
    this.opaque++;
    const ins = [...extra];
    for (const id of new Set(text.match(/[A-Za-z_]\w*/g) ?? [])) {
      const v = f.env.get(id);
      if (v) for (const t of this.flatten(v)) if (!ins.includes(t)) ins.push(t);
    }
    const assigned = new Set<string>();
    for (const line of text.split('\n')) {
      const m = /^\s*([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*(?::[^=]+)?=(?!=)/.exec(line);
      if (m) for (const t of m[1].split(',')) assigned.add(t.trim());
    }
    const outs = [...assigned].map((name) => {
      const v = this.newValue(this.valueName(f, name));
      f.env.set(name, { t: 'tensor', v });
      return v;
    });
    this.addNode(op, f, ins, outs, text);
  }

  // Expressions -------------------------------------------------------------------------------------------------------

  private eval(e: Expr, f: Frame, hint: string, nOut = 1, text = ''): RV {
    switch (e.k) {
      case 'num':
        return { t: 'lit', v: e.v };
      case 'str':
        return { t: 'lit', v: e.v };
      case 'const':
        return { t: 'lit', v: e.v };
      case 'list':
      case 'tuple':
        return { t: 'seq', items: e.items.map((x) => this.eval(x, f, hint)) };
      case 'name': {
        const v = f.env.get(e.id);
        if (v) return v;
        return { t: 'fn', q: e.id };
      }
      case 'attr': {
        const obj = this.eval(e.obj, f, hint);
        if (obj.t === 'fn') {
          if (obj.q === 'CONSTANTS') return this.constant(e.name);
          return { t: 'fn', q: `${obj.q}.${e.name}` };
        }
        if (obj.t === 'module') return this.attrOf(obj, e.name);
        return UNKNOWN;
      }
      case 'call':
        return this.evalCall(e, f, hint, nOut, text);
      case 'sub': {
        const obj = this.eval(e.obj, f, hint);
        const index = this.eval(e.index, f, hint);
        if (obj.t === 'seq' && index.t === 'lit' && typeof index.v === 'number')
          return obj.items[index.v < 0 ? obj.items.length + index.v : index.v] ?? UNKNOWN;
        return this.opNode('aten::__getitem__', [obj, index], f, hint, nOut, text);
      }
      case 'bin':
        return this.evalBinary(e.op, e.l, e.r, f, hint, text);
      case 'un': {
        const x = this.eval(e.x, f, hint);
        if (x.t === 'lit') {
          if (e.op === 'not') return { t: 'lit', v: !x.v };
          if (e.op === '-' && typeof x.v === 'number') return { t: 'lit', v: -x.v };
        }
        return this.opNode(
          e.op === 'not' ? 'aten::__not__' : e.op === '-' ? 'aten::neg' : 'aten::bitwise_not',
          [x],
          f,
          hint,
          1,
          text,
        );
      }
      case 'ifexp': {
        const c = truth(this.eval(e.cond, f, hint));
        if (c === true) return this.eval(e.a, f, hint);
        if (c === false) return this.eval(e.b, f, hint);
        return this.opNode(
          'prim::If',
          [this.eval(e.cond, f, hint), this.eval(e.a, f, hint), this.eval(e.b, f, hint)],
          f,
          hint,
          1,
          text,
        );
      }
    }
  }

  private evalBinary(op: string, le: Expr, re: Expr, f: Frame, hint: string, text: string): RV {
    const l = this.eval(le, f, hint);
    const r = this.eval(re, f, hint);
    if (op === 'is' || op === 'is not') {
      // A tensor or module is never None; a literal compares directly.
      const lNone = l.t === 'lit' && l.v === null;
      const rNone = r.t === 'lit' && r.v === null;
      let same: boolean | null = null;
      if (l.t === 'lit' && r.t === 'lit') same = l.v === r.v;
      else if ((lNone && (r.t === 'tensor' || r.t === 'module')) || (rNone && (l.t === 'tensor' || l.t === 'module')))
        same = false;
      if (same !== null) return { t: 'lit', v: op === 'is' ? same : !same };
    }
    if (l.t === 'lit' && r.t === 'lit') {
      const folded = fold(op, l.v, r.v);
      if (folded !== undefined) return { t: 'lit', v: folded };
    }
    return this.opNode(BINARY_OPS[op] ?? `aten::${op}`, [l, r], f, hint, 1, text);
  }

  private evalCall(e: Extract<Expr, { k: 'call' }>, f: Frame, hint: string, nOut: number, text: string): RV {
    // Method on a module: (conv1).forward(x), (self)._conv_forward(...), self.helper(x).
    if (e.fn.k === 'attr') {
      const obj = this.eval(e.fn.obj, f, hint);
      if (obj.t === 'module') {
        const method = obj.cls?.methods.get(e.fn.name);
        const args = e.args.map((a) => this.eval(a, f, hint));
        const kwargs = e.kwargs.map(([k, a]) => [k, this.eval(a, f, hint)] as [string, RV]);
        if (method) return this.call(method, obj, args, kwargs, obj.path, obj.cls);
        return this.opNode(
          `prim::CallMethod`,
          [...args, ...kwargs.map((k) => k[1])],
          { ...f, path: obj.path } as Frame,
          e.fn.name,
          nOut,
          text,
        );
      }
      if (obj.t === 'tensor' || obj.t === 'seq') {
        // A method on a value: x.size() → aten::size(x).
        const args = [
          obj,
          ...e.args.map((a) => this.eval(a, f, hint)),
          ...e.kwargs.map(([, a]) => this.eval(a, f, hint)),
        ];
        return this.opNode(`aten::${e.fn.name}`, args, f, hint, nOut, text);
      }
    }
    const fn = this.eval(e.fn, f, hint);
    const args = () => e.args.map((a) => this.eval(a, f, hint));
    const all = () => [...args(), ...e.kwargs.map(([, a]) => this.eval(a, f, hint))];
    if (fn.t !== 'fn') return this.opNode('prim::CallFunction', [fn, ...all()], f, hint, nOut, text);
    const q = fn.q;
    if (q.startsWith('torch.')) {
      const values = all();
      if (q === 'torch.len' && values.length === 1 && values[0].t === 'seq')
        return { t: 'lit', v: values[0].items.length };
      return this.opNode(torchOp(q), values, f, hint, nOut, text);
    }
    if (q.startsWith('ops.')) {
      const parts = q.split('.');
      return this.opNode(`${parts[1]}::${parts.slice(2).join('.')}`, all(), f, hint, nOut, text);
    }
    if (q.startsWith('__torch__.')) {
      const def = this.module.functions.get(q);
      if (def) {
        const kwargs = e.kwargs.map(([k, a]) => [k, this.eval(a, f, hint)] as [string, RV]);
        return this.call(def, null, args(), kwargs, f.path, f.cls);
      }
      return this.opNode(q, all(), f, hint, nOut, text);
    }
    switch (q) {
      case 'annotate':
      case 'unchecked_cast':
        return e.args[1] ? this.eval(e.args[1], f, hint, nOut, text) : UNKNOWN;
      case 'uninitialized':
        return UNKNOWN;
      case 'getattr': {
        const obj = e.args[0] ? this.eval(e.args[0], f, hint) : UNKNOWN;
        const name = e.args[1] ? this.eval(e.args[1], f, hint) : UNKNOWN;
        if (obj.t === 'module' && name.t === 'lit' && typeof name.v === 'string') return this.attrOf(obj, name.v);
        return UNKNOWN;
      }
      case 'isinstance':
        return UNKNOWN;
      case 'len': {
        const x = e.args[0] ? this.eval(e.args[0], f, hint) : UNKNOWN;
        if (x.t === 'seq') return { t: 'lit', v: x.items.length };
        if (x.t === 'lit' && typeof x.v === 'string') return { t: 'lit', v: x.v.length };
        return this.opNode('aten::len', [x], f, hint, 1, text);
      }
      case 'int':
      case 'float':
      case 'bool': {
        const x = e.args[0] ? this.eval(e.args[0], f, hint) : UNKNOWN;
        if (x.t === 'lit' && x.v !== null)
          return { t: 'lit', v: q === 'bool' ? Boolean(x.v) : q === 'int' ? Math.trunc(Number(x.v)) : Number(x.v) };
        return this.opNode(`aten::${q[0].toUpperCase()}${q.slice(1)}`, [x], f, hint, 1, text);
      }
      default:
        return this.opNode(q.includes('::') ? q : `python::${q}`, all(), f, hint, nOut, text);
    }
  }

  // Module attributes and constants ---------------------------------------------------------------------------------

  private attrOf(mod: Extract<RV, { t: 'module' }>, name: string): RV {
    const state = mod.obj.state;
    const v = state instanceof Map ? state.get(name) : mod.obj.dict.get(name);
    if (v !== undefined) return this.fromPy(v, [...mod.path, name]);
    const c = mod.cls?.constants.get(name);
    if (c && (c.k === 'num' || c.k === 'str' || c.k === 'const')) return { t: 'lit', v: c.v };
    if (c && (c.k === 'tuple' || c.k === 'list'))
      return {
        t: 'seq',
        items: c.items.map((x) => (x.k === 'num' || x.k === 'str' || x.k === 'const' ? { t: 'lit', v: x.v } : UNKNOWN)),
      };
    return UNKNOWN;
  }

  private fromPy(v: PyValue, path: string[], depth = 0): RV {
    if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return { t: 'lit', v };
    if (typeof v === 'bigint') return { t: 'lit', v: Number(v) };
    if (depth > 32 || v instanceof Uint8Array || v instanceof Map) return UNKNOWN;
    if (Array.isArray(v))
      return { t: 'seq', items: v.slice(0, 4096).map((x, i) => this.fromPy(x, [...path, String(i)], depth + 1)) };
    if (v.kind === 'object') {
      if (asTensorRec(v)) return { t: 'tensor', v: this.tensorValue(v, path.join('.')) };
      if (v.cls.startsWith('__torch__.')) return { t: 'module', obj: v, path, cls: this.classes.get(v.cls) ?? null };
    }
    return UNKNOWN;
  }

  private walkState(obj: PyObject, path: string[], seen: Set<PyObject>): void {
    if (seen.has(obj) || path.length > MAX_CALL_DEPTH) return;
    seen.add(obj);
    const state = obj.state instanceof Map ? obj.state : obj.dict;
    for (const [k, v] of state) {
      if (!v || typeof v !== 'object' || !('kind' in v) || v.kind !== 'object') continue;
      if (asTensorRec(v)) this.tensorValue(v, [...path, String(k)].join('.'));
      else if (v.cls.startsWith('__torch__.')) this.walkState(v, [...path, String(k)], seen);
    }
  }

  private constant(name: string): RV {
    const m = /^c(\d+)$/.exec(name);
    const items = this.constants && (isTuple(this.constants) || Array.isArray(this.constants)) ? this.constants : null;
    if (!m || !items) return UNKNOWN;
    const v = items[Number(m[1])];
    return v === undefined ? UNKNOWN : this.fromPy(v, ['CONSTANTS', name]);
  }

  /** One initializer per pickled tensor (shared weights stay one value). */
  private tensorValue(obj: PyObject, name: string): number {
    const known = this.tensorValues.get(obj);
    if (known !== undefined) return known;
    const { b } = this;
    const rec = asTensorRec(obj)!;
    const v = this.newValue(name);
    this.tensorValues.set(obj, v);
    b.setValueType(v, rec.dtype, rec.shape);
    b.addFlags(v, ValueFlag.Initializer);
    const where = this.storage.get(rec.key);
    const bits = DTYPE_BITS[rec.dtype] ?? 0;
    if (where && where.offset >= 0 && bits >= 8) {
      let n = 1;
      for (const d of rec.shape) n *= d;
      const start = rec.storageOffset * (bits / 8);
      const length = n * (bits / 8);
      if (Number.isFinite(length) && start >= 0 && start + length <= where.entry.size)
        b.setValueData(v, where.offset + start, length);
    }
    return v;
  }

  // Nodes and values -----------------------------------------------------------------------------------------------------

  private flatten(v: RV, out: number[] = [], depth = 0): number[] {
    if (v.t === 'tensor') out.push(v.v);
    else if (v.t === 'seq' && depth < 32) for (const x of v.items) this.flatten(x, out, depth + 1);
    return out;
  }

  private valueName(f: Frame, hint: string): string {
    return `${f.path.length ? `${f.path.join('.')}.` : ''}${hint || 'v'}`;
  }

  private newValue(base: string): number {
    let name = base;
    for (let k = 1; this.usedValueNames.has(name); k++) name = `${base}_${k}`;
    this.usedValueNames.add(name);
    return this.b.value(0, name);
  }

  private opNode(op: string, args: RV[], f: Frame, hint: string, nOut: number, text: string): RV {
    const ins: number[] = [];
    for (const a of args) this.flatten(a, ins);
    const outs: number[] = [];
    for (let i = 0; i < Math.max(1, nOut); i++)
      outs.push(this.newValue(this.valueName(f, hint || op.replace(/^.*::/, ''))));
    this.addNode(op, f, ins, outs, text);
    const rv = outs.map((v) => ({ t: 'tensor', v }) as RV);
    return nOut > 1 ? { t: 'seq', items: rv } : rv[0];
  }

  private addNode(op: string, f: Frame, ins: number[], outs: number[], text: string): void {
    const short = op.replace(/^.*::/, '').replace(/[/.]/g, '_') || 'op';
    const base = f.path.length ? `${f.path.join('/')}/${short}` : short;
    const k = this.nodeNames.get(base) ?? 0;
    this.nodeNames.set(base, k + 1);
    this.b.countLayer(op);
    this.b.addNode(0, k ? `${base}_${k}` : base, op, ins, outs);
    this.info.push({
      code: text.length > 4000 ? `${text.slice(0, 4000)}…` : text,
      module: f.path.join('.'),
      cls: f.cls ? shortName(f.cls.qname) : '',
    });
  }
}
