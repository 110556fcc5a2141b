/** The parts of a TensorFlow graph Strata keeps, the same whether read from binary (.pb) or text (.pbtxt). */

export interface TfTensor {
  /** tensorflow.DataType */
  dtype: number;
  /** null when the shape is missing or of unknown rank; -1 for an unknown dimension. */
  dims: number[] | null;
  /** Payload in the file: absolute offset, byte length and DataEncoding; offset -1 when not recorded. */
  offset: number;
  length: number;
  encoding: number;
  /** The file holding the payload when it is not the model file itself (a TF.js weight shard). */
  location?: string;
}

export interface TfNode {
  name: string;
  op: string;
  /** As written: `x`, `x:1`, `^x` (control dependency), in functions `x:out:0`. */
  inputs: string[];
  device: string;
  /** Byte range of the NodeDef record (binary) or `node { … }` block (text). */
  start: number;
  end: number;
  /** Type attributes that fix the output element type (`dtype`, `T`, `out_type`, `DstT`, …), by name. */
  types: Map<string, number>;
  /** `_output_shapes`, one entry per output. */
  outputShapes: (number[] | null)[] | null;
  /** The `shape` attribute (Placeholder). */
  shape: number[] | null | undefined;
  /** The `value` attribute of a Const node. */
  tensor: TfTensor | null;
}

export interface TfArg {
  name: string;
  dtype: number;
}

export interface TfFunction {
  name: string;
  inputs: TfArg[];
  outputs: TfArg[];
  /** Output arg name → the reference that computes it (`node:out:0` or an input arg). */
  ret: Map<string, string>;
  nodes: TfNode[];
}

export interface TfModel {
  nodes: TfNode[];
  functions: TfFunction[];
  metadata: Record<string, string>;
}

export function newNode(start: number): TfNode {
  return {
    name: '',
    op: '',
    inputs: [],
    device: '',
    start,
    end: start,
    types: new Map(),
    outputShapes: null,
    shape: undefined,
    tensor: null,
  };
}

export function newTensor(): TfTensor {
  return { dtype: 0, dims: null, offset: -1, length: 0, encoding: 0 };
}

/** Attributes whose type value is the element type of the node's outputs, most specific first. */
export const OUTPUT_TYPE_ATTRS = ['dtype', 'out_type', 'DstT', 'output_type', 'Tout', 'T'] as const;
