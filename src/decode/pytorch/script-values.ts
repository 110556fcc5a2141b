import type { PyObject } from './pickle.ts';
import type { ScriptClass } from './script.ts';

/**
 * The values the TorchScript interpreter (torchscript.ts) tracks while it walks a module's code, and the constant
 * folding it does on them: enough to follow control flow that depends on literals and to name the ops it emits.
 */

/** A runtime value: a tensor (its IR value id), a literal, a sequence, a submodule, a function, or unknown. */
export type RV =
  | { t: 'tensor'; v: number }
  | { t: 'lit'; v: null | boolean | number | string }
  | { t: 'seq'; items: RV[] }
  | { t: 'module'; obj: PyObject; path: string[]; cls: ScriptClass | null }
  | { t: 'fn'; q: string }
  | { t: 'unknown' };

export const UNKNOWN: RV = { t: 'unknown' };
export const NONE: RV = { t: 'lit', v: null };

/** The TorchScript binary operators and the aten ops they call. */
export const BINARY_OPS: Readonly<Record<string, string>> = {
  '+': 'aten::add',
  '-': 'aten::sub',
  '*': 'aten::mul',
  '/': 'aten::div',
  '//': 'aten::floordiv',
  '%': 'aten::remainder',
  '**': 'aten::pow',
  '==': 'aten::eq',
  '!=': 'aten::ne',
  '<': 'aten::lt',
  '<=': 'aten::le',
  '>': 'aten::gt',
  '>=': 'aten::ge',
  and: 'aten::__and__',
  or: 'aten::__or__',
  '&': 'aten::__and__',
  '|': 'aten::__or__',
  '^': 'aten::__xor__',
  '<<': 'aten::__lshift__',
  '>>': 'aten::__rshift__',
  in: 'aten::__contains__',
  'not in': 'aten::__contains__',
  is: 'aten::__is__',
  'is not': 'aten::__isnot__',
};

/** A binary operator on two literals, or undefined when it is not folded here. */
export function fold(
  op: string,
  a: null | boolean | number | string,
  b: null | boolean | number | string,
): null | boolean | number | string | undefined {
  if (op === '==') return a === b;
  if (op === '!=') return a !== b;
  if (op === 'and') return a ? b : a;
  if (op === 'or') return a ? a : b;
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        return a / b;
      case '//':
        return Math.floor(a / b);
      case '%':
        return a - b * Math.floor(a / b);
      case '**':
        return a ** b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
      default:
        return undefined;
    }
  }
  if (typeof a === 'string' && typeof b === 'string' && op === '+') return a + b;
  return undefined;
}

/** The truth of a value, or null when it is not known before run time. */
export function truth(v: RV): boolean | null {
  if (v.t === 'lit') return Boolean(v.v);
  if (v.t === 'seq') return v.items.length > 0;
  if (v.t === 'module') return true;
  return null;
}

/** `torch.conv2d` → `aten::conv2d`; `torch.ops.quantized.linear` → `quantized::linear`. */
export function torchOp(q: string): string {
  const rest = q.slice('torch.'.length);
  if (rest.startsWith('ops.')) {
    const parts = rest.split('.');
    return `${parts[1]}::${parts.slice(2).join('.')}`;
  }
  return `aten::${rest.replace(/\./g, '_')}`;
}

/** The last segment of a qualified name. */
export function shortName(qname: string): string {
  return qname.slice(qname.lastIndexOf('.') + 1);
}
