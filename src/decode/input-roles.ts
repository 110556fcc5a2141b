import { TFLITE_INPUT_ROLES } from './tflite/roles.ts';

/** What boxes need to know about a format's operators. */
export interface OpFacts {
  /** Input names of an op type (`X`, `W`, `B` for ONNX Conv), or null when the format does not name them. */
  roles(op: string): readonly string[] | null;
  /** True when `value` (as shown: `1`, `[1, 1]`, `"NOTSET"`) is what the op does without the attribute. */
  isDefault(op: string, name: string, value: string): boolean;
}

/** The ONNX operator table, loaded on first use (its own chunk: ~240 kB of JSON the first frame never waits for). */
export interface OnnxOpSchema {
  since: number;
  domain: string;
  summary: string;
  inputs: { name: string; type: string; option?: string; doc?: string }[];
  outputs: { name: string; type: string; option?: string; doc?: string }[];
  attributes: { name: string; type: string; required?: boolean; default?: unknown; doc?: string }[];
  types: { param: string; allowed: string[] }[];
}

let onnxTable: Promise<Record<string, OnnxOpSchema>> | null = null;

/** Operator schemas generated from the python `onnx` package (scripts/gen-onnx-ops.py); never fetched from the network. */
export function onnxOpSchemas(): Promise<Record<string, OnnxOpSchema>> {
  onnxTable ??= import('./onnx/op-schemas.json').then((m) => (m.default as { ops: Record<string, OnnxOpSchema> }).ops);
  return onnxTable;
}

/**
 * Attributes that change nothing at these values in any format (unit strides and dilations, zero pads), though
 * schemas give them no default: boxes leave them out, the properties panel still lists them.
 */
const NEUTRAL: Readonly<Record<string, RegExp>> = {
  strides: /^\[?1(, 1)*\]?$/,
  dilations: /^\[?1(, 1)*\]?$/,
  dilation_w_factor: /^1$/,
  dilation_h_factor: /^1$/,
  pads: /^\[?0(, 0)*\]?$/,
  version: /./,
};

function shownDefault(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => shownDefault(v)).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' && !Number.isInteger(value)) return String(+value.toPrecision(7));
  return String(value);
}

/** Operator facts of a format: ONNX from its schemas, TFLite from its kernels' input names, others by position. */
export async function opFactsFor(format: string): Promise<OpFacts> {
  const neutral = (name: string, value: string) => NEUTRAL[name]?.test(value) ?? false;
  if (format === 'onnx') {
    const ops = await onnxOpSchemas();
    return {
      roles: (op) => ops[op]?.inputs.map((p) => p.name) ?? null,
      isDefault: (op, name, value) => {
        if (neutral(name, value)) return true;
        const d = ops[op]?.attributes.find((a) => a.name === name)?.default;
        if (d === undefined) return false;
        const shown = shownDefault(d);
        return shown === value || (typeof d === 'number' && Number(value) === d);
      },
    };
  }
  if (format === 'tflite')
    return { roles: (op) => TFLITE_INPUT_ROLES[op] ?? null, isDefault: (_op, name, value) => neutral(name, value) };
  return { roles: () => null, isDefault: (_op, name, value) => neutral(name, value) };
}
